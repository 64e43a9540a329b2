package staffsync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
            second.next("STAFF_CREATE");
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
                writer.send("STAFF_CREATE", """
                        {"staff": {"name": "n%d"}}""".formatted(i));
            }
            for (int i = 0; i < 200; i++) {
                writer.next("STAFF_CREATE");
            }
            server.terminate();
            for (int i = 0; i < 200; i++) {
                reader.next("STAFF_CREATE"); // every event broadcast before the stop reaches the reader
            }
            assertEquals(1001, reader.awaitCloseWithNothingUnread());
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
                writer.next("STAFF_CREATE");
            }
            server.terminate();
            reader.resumeReading();
            for (long expected = 1; expected <= 300; expected++) {
                assertEquals(expected, Json.seq(reader.next("STAFF_CREATE")), "events arrive in order, none missing");
            }
            assertEquals(1001, reader.awaitCloseWithNothingUnread());
        }
    }

    @Test
    void aBadEnvironmentValueExitsWithCode2AndNamesTheVariable() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("PORT", "abc"))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS)); // and its log is read to the end
            String log = server.log();
            assertTrue(log.contains("PORT") && log.contains("abc"), log);
            assertEquals(1, log.strip().split("\n").length, "one clear line: " + log);
        }
    }

    @Test
    void aNegativeSizeExitsWithCode2() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("OUTBOUND_LIMIT_BYTES", "-5"))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS)); // and its log is read to the end
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

    /** The one line a failed start prints, after checking that nothing else looks like an error. */
    private static String onlyErrorLine(ServerProcess server) {
        String log = server.log();
        assertFalse(log.contains("SEVERE") || log.contains("Exception") || log.contains("\tat "), log);
        List<String> errors = log.lines().filter(line -> line.startsWith("staff-sync: ")).toList();
        assertEquals(1, errors.size(), log);
        return errors.get(0);
    }

    @Test
    void aTakenPortStopsStartupWithExit2AndOneLineNamingPort() throws Exception {
        try (ServerProcess first = ServerProcess.start();
             ServerProcess second = ServerProcess.launch(Map.of("PORT", String.valueOf(first.wsPort())))) {
            assertEquals(2, second.awaitExit(20, TimeUnit.SECONDS), second.log());
            assertEquals("staff-sync: port " + first.wsPort() + " is in use; set PORT to a free port (0 picks any free one)",
                    onlyErrorLine(second));
        }
    }

    @Test
    void aTakenHttpPortStopsStartupWithExit2AndOneLineNamingHttpPort() throws Exception {
        try (ServerProcess first = ServerProcess.start();
             ServerProcess second = ServerProcess.launch(Map.of("HTTP_PORT", String.valueOf(first.httpUri("/").getPort())))) {
            assertEquals(2, second.awaitExit(20, TimeUnit.SECONDS), second.log());
            assertTrue(onlyErrorLine(second).contains("is in use; set HTTP_PORT"), second.log());
        }
    }

    @Test
    void aDataDirThatIsAFileStopsStartupWithExit2(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("data"));
        try (ServerProcess server = ServerProcess.launch(Map.of("STORE", "file", "DATA_DIR", file.toString()))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS), server.log());
            assertTrue(onlyErrorLine(server).contains(file + " is a file, not a directory"), server.log());
        }
    }

    @Test
    void aSupabaseUrlWithoutASchemeStopsStartupWithExit2() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("STORE", "", "SUPABASE_URL", "abcd.supabase.co",
                "SUPABASE_SERVICE_KEY", "sb_secret_x"))) {
            assertEquals(2, server.awaitExit(20, TimeUnit.SECONDS), server.log());
            assertTrue(onlyErrorLine(server).contains("SUPABASE_URL must start with https://"), server.log());
        }
    }

    @Test
    void theLogSaysWhichStoreKeepsTheDataAndWhy(@TempDir Path dir) throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("STORE", "", "DATA_DIR", dir.toString()))) {
            assertTrue(server.log().contains("store file: a durable log in " + dir.toRealPath()
                    + " (the default while SUPABASE_URL is not set; set SUPABASE_URL and SUPABASE_SERVICE_KEY"), server.log());
        }
    }
}
