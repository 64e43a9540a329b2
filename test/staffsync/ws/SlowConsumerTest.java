package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/** A client that stops reading is cut off with 1013; everyone else keeps receiving everything. */
class SlowConsumerTest {

    @Test
    void aClientThatStopsReadingIsDroppedWith1013WhileOthersReceiveEveryEvent() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("OUTBOUND_LIMIT_BYTES", "262144", "SOCKET_SEND_BUFFER_BYTES", "16384",
                "RATE_LIMIT_PER_SECOND", "100000", "RATE_LIMIT_BURST", "100000", "MAX_WRITES_PER_SECOND", "1000000"));
             WsClient writer = WsClient.connect(server.wsUri(), "writer");
             WsClient healthy = WsClient.connect(server.wsUri(), "healthy");
             WsClient slow = WsClient.connect(server.wsUri(), "slow")) {
            writer.ack();
            healthy.ack();
            slow.ack();
            slow.stopReading();

            writer.send("STAFF_CREATE", "{\"staff\":{\"id\":\"big\",\"name\":\"Big\"}}");
            writer.next("STAFF_CREATE");
            String pad = "p".repeat(190);
            long sent = 1;
            int rounds = 0;
            while (dropsReported(server) == 0) {
                assertTrue(++rounds <= 300, "the slow client was never dropped");
                // Small batches keep the readers' backlog (about 130 KB) far under the bound.
                for (int i = 0; i < 100; i++) {
                    writer.send("STAFF_UPDATE", "{\"staffId\":\"big\",\"changes\":{\"position\":\"" + pad + i
                            + "\",\"department\":\"" + pad + "\",\"name\":\"" + pad + "\"}}");
                }
                for (int i = 0; i < 100; i++) {
                    writer.next("STAFF_UPDATE");
                }
                sent += 100;
            }
            slow.resumeReading();
            assertEquals(1013, slow.awaitClose());

            long expected = 1;
            while (expected <= sent) {
                JsonObject event = healthy.next();
                assertEquals(expected, Json.seq(event), "the healthy client misses nothing");
                expected++;
            }
            assertTrue(server.log().contains("dropped"), "the drop is logged");
        }
    }

    static long dropsReported(ServerProcess server) throws Exception {
        return ServerProcess.metricSample(server.metrics(), "staffsync_slow_consumer_drops_total");
    }
}
