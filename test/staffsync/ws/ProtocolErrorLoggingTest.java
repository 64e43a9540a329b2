package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.support.ServerProcess.metricSample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.RawWebSocket;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * What the real server's log says when clients break the protocol: one INFO line per connection
 * and kind, no SEVERE, no stack trace, and no more than PROTOCOL_ERROR_LOG_PER_MINUTE lines
 * however many clients misbehave. Each test gets a fresh server: they read its whole log.
 */
class ProtocolErrorLoggingTest {
    static final int LINES_PER_MINUTE = 5;
    ServerProcess server;

    @BeforeEach
    void start() throws Exception {
        server = ServerProcess.start(Map.of("PROTOCOL_ERROR_LOG_PER_MINUTE", String.valueOf(LINES_PER_MINUTE)));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private RawWebSocket opened() throws IOException {
        RawWebSocket raw = RawWebSocket.open(server.wsPort(), "/staff-sync");
        assertTrue(raw.nextText().contains("CONNECTION_ACK"));
        return raw;
    }

    private List<String> linesAbout(String kind) {
        return server.log().lines().filter(line -> line.contains(" sent " + kind)).toList();
    }

    /** Waits until /metrics has counted {@code count} errors of the kind: the log line comes before. */
    private void awaitCounted(String kind, long count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String sample = "staffsync_protocol_errors_total{kind=\"" + kind + "\"}";
        while (!server.metrics().contains(sample) || metricSample(server.metrics(), sample) < count) {
            assertTrue(System.nanoTime() < deadline, "never counted " + count + " " + kind + ":\n" + server.metrics());
            Thread.sleep(20);
        }
    }

    private void assertNoSevereAndNoStackTrace() {
        String log = server.log();
        assertFalse(log.contains("SEVERE"), log);
        assertFalse(log.contains("Exception") || log.contains(" at org.java_websocket"), log);
    }

    @Test
    void aFrameWithAReservedOpcodeIsClosedWith1002AndLoggedOnceAtInfoWithoutATrace() throws Exception {
        try (RawWebSocket raw = opened()) {
            raw.sendFrame(true, 0x3, new byte[] {1, 2, 3}, true);
            assertEquals(1002, raw.awaitCloseCode());
        }
        awaitCounted("BAD_FRAME", 1);
        List<String> lines = linesAbout("a frame breaking RFC 6455");
        assertEquals(1, lines.size(), server.log());
        assertTrue(lines.get(0).contains(" INFO ") && lines.get(0).contains("(closed with 1002)"), lines.get(0));
        assertNoSevereAndNoStackTrace();
    }

    @Test
    void aTextFrameThatIsNotUtf8IsClosedWith1007AndLoggedAtInfoWithoutATrace() throws Exception {
        try (RawWebSocket raw = opened()) {
            raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, true);
            assertEquals(1007, raw.awaitCloseCode());
        }
        awaitCounted("INVALID_UTF8", 1);
        assertEquals(1, linesAbout("a text frame that is not UTF-8").size(), server.log());
        assertNoSevereAndNoStackTrace();
    }

    @Test
    void anUnmaskedFrameIsLoggedByTheSameRule() throws Exception {
        try (RawWebSocket raw = opened()) {
            raw.sendFrame(true, RawWebSocket.TEXT, "{}".getBytes(StandardCharsets.UTF_8), false);
            assertEquals(1002, raw.awaitCloseCode());
        }
        awaitCounted("BAD_FRAME", 1);
        assertEquals(1, linesAbout("a frame breaking RFC 6455").size(), server.log());
        assertNoSevereAndNoStackTrace();
    }

    @Test
    void aClientRepeatingInvalidMessagesIsLoggedOnceAndKeepsItsConnection() throws Exception {
        try (WsClient client = WsClient.connect(server.wsUri(), "sloppy")) {
            client.ack();
            for (int i = 0; i < 50; i++) {
                client.sendText("not json " + i);
                assertEquals("INVALID_MESSAGE", Json.errorCode(client.next()));
            }
        }
        awaitCounted("INVALID_MESSAGE", 50);
        assertEquals(1, linesAbout("an invalid message").size(), server.log());
    }

    @Test
    void manyConnectionsBreakingTheProtocolWriteAtMostTheRatesWorthOfLines() throws Exception {
        for (int i = 0; i < 30; i++) {
            try (RawWebSocket raw = opened()) {
                raw.sendFrame(true, 0xB, new byte[0], true); // a reserved control opcode
                assertEquals(1002, raw.awaitCloseCode());
            }
        }
        awaitCounted("BAD_FRAME", 30);
        int lines = linesAbout("a frame breaking RFC 6455").size();
        assertTrue(lines >= LINES_PER_MINUTE && lines <= LINES_PER_MINUTE + 1,
                lines + " lines for 30 errors at " + LINES_PER_MINUTE + " per minute:\n" + server.log());
        assertNoSevereAndNoStackTrace();
    }
}
