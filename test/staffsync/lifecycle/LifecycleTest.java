package staffsync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/** The real `java -jar` process: how it stops, and how it refuses to start. */
class LifecycleTest {

    @Test
    void sigtermClosesClientsWith1001AndExitsZeroWithinFiveSeconds() throws Exception {
        try (ServerProcess server = ServerProcess.start();
             WsClient first = WsClient.connect(server.wsUri(), "a");
             WsClient second = WsClient.connect(server.wsUri(), "b")) {
            first.ack();
            second.ack();
            first.send("STAFF_CREATE", "{\"staff\":{\"name\":\"Before stop\"}}");
            second.nextOfType("STAFF_CREATE");
            long started = System.nanoTime();
            server.terminate();
            assertEquals(1001, first.awaitClose());
            assertEquals(1001, second.awaitClose());
            assertEquals(0, server.awaitExit(10, TimeUnit.SECONDS), server.log());
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs < 5_000, "stopped in " + tookMs + " ms");
            assertTrue(server.log().contains("stopped"), server.log());
        }
    }

    @Test
    void sigtermFinishesQueuedWritesBeforeClosing() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("RATE_LIMIT_PER_SECOND", "100000",
                "RATE_LIMIT_BURST", "100000"));
             WsClient writer = WsClient.connect(server.wsUri(), "w");
             WsClient reader = WsClient.connect(server.wsUri(), "r")) {
            writer.ack();
            reader.ack();
            for (int i = 0; i < 200; i++) {
                writer.send("STAFF_CREATE", "{\"staff\":{\"name\":\"n" + i + "\"}}");
            }
            long applied = 0;
            for (int i = 0; i < 200; i++) {
                writer.nextOfType("STAFF_CREATE");
                applied++;
            }
            server.terminate();
            List<String> got = reader.drain(java.time.Duration.ofSeconds(3));
            long events = got.stream().filter(t -> t.contains("\"STAFF_CREATE\"")).count();
            assertEquals(applied, events, "every event broadcast before the stop reached the reader");
            assertEquals(1001, reader.awaitClose());
        }
    }

    @Test
    void sigtermDeliversTheBacklogOfAPausedReaderInOrderBeforeThe1001() throws Exception {
        // A small send buffer keeps most of the backlog in the server's own queue, so the close
        // must carry it: the close frame may only follow the last queued event.
        try (ServerProcess server = ServerProcess.start(Map.of("RATE_LIMIT_PER_SECOND", "100000",
                "RATE_LIMIT_BURST", "100000", "SOCKET_SEND_BUFFER_BYTES", "8192", "SHUTDOWN_TIMEOUT_MS", "10000"));
             WsClient writer = WsClient.connect(server.wsUri(), "w");
             WsClient reader = WsClient.connect(server.wsUri(), "r")) {
            writer.ack();
            reader.ack();
            reader.stopReading();
            String pad = "x".repeat(190);
            for (int i = 0; i < 300; i++) {
                writer.send("STAFF_CREATE", "{\"staff\":{\"name\":\"n" + i + pad + "\",\"position\":\"" + pad
                        + "\",\"department\":\"" + pad + "\"}}");
            }
            for (int i = 0; i < 300; i++) {
                writer.nextOfType("STAFF_CREATE");
            }
            server.terminate();
            reader.resumeReading();
            long expected = 1;
            for (String text : reader.drain(java.time.Duration.ofSeconds(5))) {
                JsonObject event = JsonParser.parseString(text).getAsJsonObject();
                if (Json.type(event).equals("STAFF_CREATE")) {
                    assertEquals(expected, Json.seq(event), "events arrive in order, none missing");
                    expected++;
                }
            }
            assertEquals(301, expected, "all 300 events arrived");
            assertEquals(1001, reader.awaitClose());
        }
    }

    @Test
    void aBadEnvironmentValueExitsWithCode2AndNamesTheVariable() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("PORT", "abc"))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS));
            Thread.sleep(200);
            String log = server.log();
            assertTrue(log.contains("PORT") && log.contains("abc"), log);
            assertEquals(1, log.strip().split("\n").length, "one clear line: " + log);
        }
    }

    @Test
    void aNegativeSizeExitsWithCode2() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("OUTBOUND_LIMIT_BYTES", "-5"))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertTrue(server.log().contains("OUTBOUND_LIMIT_BYTES"), server.log());
        }
    }

    @Test
    void healthcheckModeExitsZeroAgainstAReadyServer() throws Exception {
        try (ServerProcess server = ServerProcess.start()) {
            int httpPort = server.httpUri("/").getPort();
            try (ServerProcess check = ServerProcess.launch(Map.of("HTTP_PORT", String.valueOf(httpPort)), "healthcheck")) {
                assertEquals(0, check.awaitExit(20, TimeUnit.SECONDS), check.log());
            }
        }
    }

    @Test
    void healthcheckModeExitsOneWhenNothingAnswers() throws Exception {
        try (ServerProcess check = ServerProcess.launch(Map.of("HTTP_PORT", "1"), "healthcheck")) {
            assertEquals(1, check.awaitExit(20, TimeUnit.SECONDS), check.log());
        }
    }

    @Test
    void aTakenPortStopsStartupWithAClearMessage() throws Exception {
        try (ServerProcess first = ServerProcess.start();
             ServerProcess second = ServerProcess.launch(Map.of("PORT", String.valueOf(first.wsPort())))) {
            assertEquals(1, second.awaitExit(20, TimeUnit.SECONDS));
            assertFalse(second.log().isEmpty());
        }
    }
}
