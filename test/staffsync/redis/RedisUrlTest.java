package staffsync.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisUrlTest {

    @Test
    void hostAloneTakesTheDefaultPortAndDatabaseZero() {
        assertEquals(new RedisUrl(false, "redis", 6379, null, null, 0), RedisUrl.parse("redis://redis"));
    }

    @Test
    void readsUserPasswordPortAndDatabase() {
        assertEquals(new RedisUrl(false, "10.0.0.5", 6380, "app", "s3cret", 4),
                RedisUrl.parse("redis://app:s3cret@10.0.0.5:6380/4"));
    }

    @Test
    void aPasswordWithoutUserLogsInAsTheDefaultUser() {
        RedisUrl url = RedisUrl.parse("redis://:s3cret@localhost:6379/0");
        assertNull(url.user());
        assertEquals("s3cret", url.password());
    }

    @Test
    void percentEscapesInThePasswordAreDecoded() {
        assertEquals("p@ss:w/rd+", RedisUrl.parse("redis://:p%40ss%3Aw%2Frd+@localhost").password());
    }

    @Test
    void redissMeansTls() {
        assertTrue(RedisUrl.parse("rediss://cache.example.com:6380").tls());
        assertFalse(RedisUrl.parse("redis://cache.example.com").tls());
    }

    @Test
    void toStringHidesThePassword() {
        String shown = RedisUrl.parse("redis://app:s3cret@localhost:6379/2").toString();
        assertEquals("redis://app:***@localhost:6379/2", shown);
        assertFalse(shown.contains("s3cret"));
    }

    @Test
    void badUrlsAreRefusedWithoutQuotingThem() {
        for (String bad : new String[] {"http://localhost", "localhost:6379", "redis://", "redis://h/abc",
                "redis://h?x=1", "redis://user@h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("REDIS_URL"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisUrl.parse("redis://:topsecret@h/x"));
        assertFalse(e.getMessage().contains("topsecret"));
    }
}
