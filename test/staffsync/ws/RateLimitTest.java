package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import staffsync.hub.RateLimiter;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST. The bucket's own rules run on a clock the test
 * moves by hand, so no test depends on how fast this machine is; the end-to-end test uses a rate
 * so low that no token can come back while it runs.
 */
class RateLimitTest {
    /** The test's clock, in nanoseconds; starts at an arbitrary value, as System.nanoTime does. */
    private final AtomicLong now = new AtomicLong(123_456_789L);

    private RateLimiter limiter(double perSecond, int burst) {
        return new RateLimiter(perSecond, burst, now::get);
    }

    private void advance(long amount, TimeUnit unit) {
        now.addAndGet(unit.toNanos(amount));
    }

    private static int acquired(RateLimiter limiter, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.tryAcquire()) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void aFullBucketServesTheBurstAtOnceAndNoMore() {
        RateLimiter limiter = limiter(1, 3);

        assertEquals(3, acquired(limiter, 5));
    }

    @Test
    void oneTokenComesBackPerIntervalOfTheRate() {
        RateLimiter limiter = limiter(2, 3);
        acquired(limiter, 3);

        advance(500, TimeUnit.MILLISECONDS);

        assertTrue(limiter.tryAcquire(), "half a second at 2 per second brings one token back");
        assertFalse(limiter.tryAcquire(), "and only one");
    }

    @Test
    void partOfATokenDoesNotAdmitAMessage() {
        RateLimiter limiter = limiter(1, 3);
        acquired(limiter, 3);

        advance(999, TimeUnit.MILLISECONDS);

        assertFalse(limiter.tryAcquire());
    }

    @Test
    void partsOfATokenAddUpAcrossAttempts() {
        RateLimiter limiter = limiter(1, 3);
        acquired(limiter, 3);
        advance(600, TimeUnit.MILLISECONDS);
        assertFalse(limiter.tryAcquire());

        advance(400, TimeUnit.MILLISECONDS);

        assertTrue(limiter.tryAcquire(), "0.6 s and 0.4 s make the one second a token takes");
    }

    @Test
    void anIdleBucketFillsUpToTheBurstOnly() {
        RateLimiter limiter = limiter(1, 3);
        acquired(limiter, 3);

        advance(1, TimeUnit.HOURS);

        assertEquals(3, acquired(limiter, 10));
    }

    @Test
    void aClientOverItsRateGetsRateLimitedAndKeepsItsConnection() throws Exception {
        // 0.001 per second: one token back every 1,000 s, so exactly the burst is served here.
        try (ServerProcess server = ServerProcess.start(Map.of("RATE_LIMIT_PER_SECOND", "0.001", "RATE_LIMIT_BURST", "3"));
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
            // A WebSocket ping is not a message: the connection still answers it.
            byte[] payload = {1, 2, 3};
            client.sendPingFrame(payload);
            assertArrayEquals(payload, client.nextPongFrame());
            assertFalse(client.isClosed());
        }
    }
}
