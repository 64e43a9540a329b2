package staffsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;

/**
 * The line a dying server writes is the log's last (issue 10: Java-WebSocket's own "Shutdown due
 * to fatal error", logged by another failing thread, sometimes came after it). The halt itself
 * ends the JVM, so OutOfMemoryTest checks it on the real process; this pins the rule.
 */
class FatalErrorsTest {
    static final String WHY = "OutOfMemoryError in thread hub (Java heap space); exiting with status 3";

    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final StreamHandler log = new StreamHandler(written, new LogSetup.OneLine());
    final FatalErrors fatal = new FatalErrors(log);

    @Test
    void aRecordFromAnotherThreadAfterTheLastWordsIsNotWritten() throws Exception {
        fatal.sayLast(WHY, null);
        Thread worker = new Thread(() -> log.publish(libraryRecord("Shutdown due to fatal error")), "WebSocketWorker-7");
        worker.start();
        worker.join();

        List<String> lines = lines();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains(WHY), lines.get(0));
    }

    @Test
    void recordsWrittenBeforeTheLastWordsStay() {
        log.publish(libraryRecord("Shutdown due to fatal error"));

        fatal.sayLast(WHY, null);

        List<String> lines = lines();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("Shutdown due to fatal error"), lines.get(0));
        assertTrue(lines.get(1).contains(WHY), lines.get(1));
    }

    private static LogRecord libraryRecord(String message) {
        LogRecord record = new LogRecord(Level.SEVERE, message);
        record.setLoggerName("org.java_websocket.server.WebSocketServer");
        return record;
    }

    private List<String> lines() {
        log.flush();
        return written.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
