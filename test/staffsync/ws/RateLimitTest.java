package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

class RateLimitTest {

    @Test
    void aClientOverItsRateGetsRateLimitedAndKeepsItsConnection() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "3"));
             WsClient client = WsClient.connect(server.wsUri(), "eager")) {
            client.ack();
            for (int i = 0; i < 5; i++) {
                client.send("PING", "{\"n\":" + i + "}");
            }
            int pongs = 0;
            int limited = 0;
            for (int i = 0; i < 5; i++) {
                JsonObject reply = client.next();
                if (Json.type(reply).equals("PONG")) {
                    pongs++;
                } else {
                    assertEquals("RATE_LIMITED", Json.errorCode(reply));
                    limited++;
                }
            }
            assertEquals(3, pongs, "the burst is served");
            assertEquals(2, limited);
            Thread.sleep(1_100);
            client.send("PING", "{}");
            assertEquals("PONG", Json.type(client.next()), "tokens come back with time");
            assertTrue(!client.isClosed());
        }
    }
}
