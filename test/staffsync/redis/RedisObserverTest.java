package staffsync.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.metrics.Metrics;
import staffsync.support.RedisServer;

/** What the client tells its observer (the /metrics counters), against a real redis-server. */
class RedisObserverTest {
    private RedisServer server;
    private final List<String> seen = new ArrayList<>(); // "command outcome", in order; test thread only
    private Redis redis;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start();
        redis = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(2),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), (command, outcome, nanos) -> {
                    assertTrue(nanos >= 0);
                    seen.add(command + " " + outcome);
                });
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        server.close();
    }

    @Test
    void eachRoundTripIsToldByCommandAndOutcomeAndTheFirstOpensAConnection() throws Exception {
        redis.call("set", "text", "x");
        assertThrows(RedisReplyException.class, () -> redis.call("INCR", "text"));
        redis.pipeline(List.of(new String[] {"GET", "text"}, new String[] {"GET", "text"}));
        assertEquals(List.of("connect ok", "SET ok", "INCR error_reply", "pipeline ok"), seen);
    }

    @Test
    void aScriptIsToldByItsNameAndItsReloadAfterRedisForgotItIsOneMoreRoundTrip() throws Exception {
        Script script = Script.of("add", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
        redis.eval(script, List.of("n"), List.of("5"));
        redis.call("SCRIPT", "FLUSH");
        seen.clear();
        redis.eval(script, List.of("n"), List.of("2"));
        assertEquals(List.of("script:add error_reply", "script:add ok"), seen, "NOSCRIPT, then EVAL");
    }

    @Test
    void redisGoneIsAnIoErrorAndEachLaterCallTriesToConnectAgain() throws Exception {
        redis.call("PING");
        server.stopKeepingData();
        seen.clear();
        assertThrows(IOException.class, () -> redis.call("PING"));
        assertThrows(IOException.class, () -> redis.call("PING"));
        assertEquals(List.of("PING io_error", "connect io_error"), seen);
        server.restart();
        redis.call("PING");
        assertEquals(List.of("PING io_error", "connect io_error", "connect ok", "PING ok"), seen);
    }

    @Test
    void metricsShowRedisOnlyOnceUsedThenItsRoundTripsAndWhetherItAnswers() throws Exception {
        Metrics metrics = new Metrics();
        assertFalse(metrics.render(() -> 0, 0, 0).contains("staffsync_redis"), "no Redis, no Redis figures");
        try (Redis observed = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(2),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), metrics::redisRoundTrip)) {
            observed.call("PING");
            observed.call("PING");
            String up = metrics.render(() -> 0, 0, 0);
            assertTrue(up.contains("\nstaffsync_redis_up 1\n"), up);
            assertTrue(up.contains("\nstaffsync_redis_round_trips_total{command=\"PING\",outcome=\"ok\"} 2\n"), up);
            assertTrue(up.contains("\nstaffsync_redis_round_trips_total{command=\"connect\",outcome=\"ok\"} 1\n"), up);
            assertTrue(up.contains("\nstaffsync_redis_round_trip_seconds_count{command=\"PING\"} 2\n"), up);
            assertTrue(up.contains("\nstaffsync_redis_round_trip_seconds_sum{command=\"PING\"} "), up);

            server.stopKeepingData();
            assertThrows(IOException.class, () -> observed.call("PING"));
            String down = metrics.render(() -> 0, 0, 0);
            assertTrue(down.contains("\nstaffsync_redis_up 0\n"), down);
            assertTrue(down.contains("\nstaffsync_redis_round_trips_total{command=\"PING\",outcome=\"io_error\"} 1\n"), down);
        }
    }
}
