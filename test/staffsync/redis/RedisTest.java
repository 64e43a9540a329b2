package staffsync.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.RedisServer;

/** The RESP client against a real redis-server. */
class RedisTest {
    private RedisServer server;
    private Redis redis;

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start();
        redis = server.client();
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        server.close();
    }

    private static Redis client(String url) {
        return new Redis(RedisUrl.parse(url), Duration.ofSeconds(2), (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    @Test
    void repliesComeBackAsStringsIntegersListsAndNull() throws Exception {
        assertEquals("OK", redis.call("SET", "greeting", "héllo ✓"));
        assertEquals("héllo ✓", redis.call("GET", "greeting"));
        assertEquals(1L, redis.call("INCR", "counter"));
        assertNull(redis.call("GET", "missing"));
        redis.call("RPUSH", "list", "a", "b");
        assertEquals(List.of("a", "b"), redis.call("LRANGE", "list", "0", "-1"));
    }

    @Test
    void anErrorReplyIsThrownAndTheConnectionStaysUsable() throws Exception {
        redis.call("SET", "text", "x");
        RedisReplyException e = assertThrows(RedisReplyException.class, () -> redis.call("INCR", "text"));
        assertEquals("ERR", e.prefix());
        assertEquals("x", redis.call("GET", "text"));
    }

    @Test
    void aScriptRunsByItsHashAndIsLoadedAgainAfterRedisForgetsIt() throws Exception {
        Script script = Script.of("add", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
        assertEquals(5L, redis.eval(script, List.of("n"), List.of("5")));
        redis.call("SCRIPT", "FLUSH");
        assertEquals(7L, redis.eval(script, List.of("n"), List.of("2")));
    }

    @Test
    void pipelinedCommandsAnswerInOrder() throws Exception {
        List<Object> replies = redis.pipeline(List.of(new String[] {"SET", "a", "1"}, new String[] {"INCR", "a"},
                new String[] {"GET", "a"}));
        assertEquals(List.of("OK", 2L, "2"), replies);
    }

    @Test
    void aBlockingReadWakesUpWhenAnotherConnectionAddsToTheStream() throws Exception {
        try (RespConnection reader = redis.connect()) {
            CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.callBlocking(5_000, "XREAD", "BLOCK", "5000", "STREAMS", "events", "0-0");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            awaitBlockedClients(1); // the read waits before anything is added: the add must wake it
            redis.call("XADD", "events", "1-0", "e", "first");
            Object reply = read.get(5, TimeUnit.SECONDS);
            assertTrue(reply.toString().contains("first"), reply.toString());
        }
    }

    @Test
    void afterARestartTheNextCallConnectsAgain() throws Exception {
        redis.call("SET", "k", "v");
        server.stopKeepingData();
        assertThrows(IOException.class, () -> redis.call("GET", "k"));
        server.restart();
        assertEquals("v", redis.call("GET", "k"));
    }

    @Test
    void selectsTheDatabaseOfTheUrl() throws Exception {
        try (Redis db3 = client("redis://127.0.0.1:" + server.port() + "/3")) {
            db3.call("SET", "where", "three");
        }
        assertNull(redis.call("GET", "where"));
        assertEquals("three", redis.call("SELECT", "3").equals("OK") ? redis.call("GET", "where") : null);
    }

    @Test
    void logsInWithThePasswordAndNeverRepeatsIt() throws Exception {
        redis.call("CONFIG", "SET", "requirepass", "pa55word");
        try (Redis right = client("redis://:pa55word@127.0.0.1:" + server.port() + "/0");
             Redis wrong = client("redis://:wrong-secret@127.0.0.1:" + server.port() + "/0")) {
            assertEquals("PONG", right.call("PING"));
            IOException refused = assertThrows(IOException.class, () -> wrong.call("PING"));
            assertTrue(refused.getMessage().contains("WRONGPASS"), refused.getMessage());
            assertFalse(refused.getMessage().contains("wrong-secret"), refused.getMessage());
        }
    }

    @Test
    void logsInAsANamedAclUser() throws Exception {
        redis.call("ACL", "SETUSER", "app", "on", ">app-pass", "~*", "+@all");
        try (Redis app = client("redis://app:app-pass@127.0.0.1:" + server.port() + "/0")) {
            assertEquals("app", app.call("ACL", "WHOAMI"));
        }
    }

    @Test
    void anUnreachableRedisIsAnIOExceptionNamingTheAddress() throws Exception {
        server.stopLosingData();
        IOException e = assertThrows(IOException.class, () -> redis.call("PING"));
        assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
    }

    /** Waits until redis-server counts this many clients blocked in a read (INFO clients). */
    private void awaitBlockedClients(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!redis.call("INFO", "clients").toString().contains("blocked_clients:" + count)) {
            assertTrue(System.nanoTime() < deadline, "no client blocked: " + redis.call("INFO", "clients"));
            Thread.sleep(10);
        }
    }
}
