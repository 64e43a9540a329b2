package staffsync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * A server run as plain {@code java -jar} (without -XX:+ExitOnOutOfMemoryError) whose heap fills
 * up ends with a clear last log line and status 3, so a supervisor restarts it, instead of staying
 * up with a dead thread while /ready still answers.
 */
class OutOfMemoryTest {

    @Test
    void runningOutOfMemoryEndsTheProcessWithStatus3AndSaysWhyLast() throws Exception {
        // A heap a few thousand rows fill; every limit that would stop the writers first is lifted.
        ServerProcess.Jvm smallHeap = new ServerProcess.Jvm(List.of("-Xmx24m", "-XX:+UseSerialGC"), 0);
        Map<String, String> env = Map.of("MAX_WRITES_PER_SECOND", "1000000", "RATE_LIMIT_PER_SECOND", "1000000",
                "RATE_LIMIT_BURST", "1000000", "MAX_PENDING_PER_CONNECTION", "100000", "MAX_ROWS", "10000000");
        try (ServerProcess server = ServerProcess.start(env, smallHeap)) {
            List<WsClient> writers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                WsClient writer = WsClient.connect(server.wsUri(), "writer-" + c);
                writer.ack();
                writers.add(writer);
            }
            AtomicInteger rows = new AtomicInteger();
            // On its own thread: a server that is up but no longer reads would block a send for good.
            Thread filler = new Thread(() -> fill(writers, rows), "filler");
            filler.setDaemon(true);
            filler.start();

            int status = server.awaitExit(150, TimeUnit.SECONDS);
            String log = server.log();
            assertEquals(3, status, "exit status after " + rows + " creates (-1: still running); log tail:\n"
                    + tail(log, 15));
            String last = lastLogRecord(log);
            assertTrue(last.contains("OutOfMemoryError") && last.contains("exiting with status 3"),
                    "the last log record says why: " + last);
            writers.forEach(WsClient::close);
        }
    }

    /** Creates rows of 600 characters from every writer until the connections fail. */
    private static void fill(List<WsClient> writers, AtomicInteger rows) {
        String pad = "x".repeat(200);
        try {
            while (true) {
                for (int i = 0; i < 200; i++) {
                    int row = rows.getAndIncrement();
                    writers.get(row % writers.size()).send("STAFF_CREATE", "{\"staff\":{\"id\":\"r" + row
                            + "\",\"name\":\"" + pad + "\",\"position\":\"" + pad + "\",\"department\":\"" + pad + "\"}}");
                }
                Thread.sleep(20); // pacing, not a wait: let the server take them in; the events pile up unread, which is fine
            }
        } catch (RuntimeException | InterruptedException connectionGone) {
            // the server has gone
        }
    }

    private static String tail(String log, int lines) {
        String[] all = log.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** The last line that starts a log record (a record's stack trace is on the same line). */
    private static String lastLogRecord(String log) {
        String[] lines = log.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("20") || lines[i].startsWith("staff-sync:")) {
                return lines[i];
            }
        }
        return "";
    }
}
