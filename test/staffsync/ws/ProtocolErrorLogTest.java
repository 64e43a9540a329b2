package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.support.ServerProcess.metricSample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import staffsync.metrics.Metrics;
import staffsync.ws.ProtocolErrorLog.Kind;
import staffsync.ws.ProtocolErrorLog.Seen;

/** The sparing log of client protocol errors, in-process with a clock the test moves. */
class ProtocolErrorLogTest {
    final List<String> lines = new ArrayList<>();
    final Metrics metrics = new Metrics();
    final AtomicLong now = new AtomicLong();

    ProtocolErrorLog log(int perMinute) {
        return new ProtocolErrorLog(perMinute, lines::add, metrics, now::get);
    }

    long counted(Kind kind) {
        return metricSample(metrics.render(() -> 0, 0, 0), "staffsync_protocol_errors_total{kind=\"" + kind + "\"}");
    }

    @Test
    void oneConnectionRepeatingAnErrorIsLoggedOnceButCountedEveryTime() {
        ProtocolErrorLog log = log(60);
        Seen seen = new Seen();
        for (int i = 0; i < 100; i++) {
            log.report("conn-1 (/127.0.0.1:5000)", seen, Kind.INVALID_MESSAGE, "message is not valid JSON");
        }
        assertEquals(List.of("conn-1 (/127.0.0.1:5000) sent an invalid message: message is not valid JSON "
                + "(logged once per connection and kind)"), lines);
        assertEquals(100, counted(Kind.INVALID_MESSAGE));
    }

    @Test
    void eachKindIsLoggedOncePerConnection() {
        ProtocolErrorLog log = log(60);
        Seen seen = new Seen();
        log.report("conn-1", seen, Kind.INVALID_MESSAGE, "a");
        log.report("conn-1", seen, Kind.UNKNOWN_TYPE, "b");
        log.report("conn-1", seen, Kind.INVALID_MESSAGE, "c");
        log.report("conn-2", new Seen(), Kind.INVALID_MESSAGE, "d");
        assertEquals(3, lines.size(), lines.toString());
    }

    @Test
    void beyondTheRateTheLinesAreLeftOutAndTheNextLineSaysHowMany() {
        ProtocolErrorLog log = log(5);
        for (int i = 0; i < 20; i++) {
            log.report("conn-" + i, new Seen(), Kind.BAD_FRAME, "reserved opcode");
        }
        assertEquals(5, lines.size(), "a minute's worth at once, no more");
        now.addAndGet(TimeUnit.SECONDS.toNanos(12)); // a fifth of a minute: one more line
        log.report("conn-late", new Seen(), Kind.BAD_FRAME, "reserved opcode");
        assertEquals(6, lines.size());
        assertTrue(lines.get(5).contains("15 such lines were left out before this one"), lines.get(5));
        assertEquals(21, counted(Kind.BAD_FRAME));
    }

    @Test
    void aRateOfZeroLogsNothingAndStillCounts() {
        ProtocolErrorLog log = log(0);
        log.report("conn-1", new Seen(), Kind.TOO_BIG, "over 65536 bytes");
        assertEquals(List.of(), lines);
        assertEquals(1, counted(Kind.TOO_BIG));
    }
}
