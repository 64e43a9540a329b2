package staffsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void everySettingHasADefault() throws Exception {
        Config config = Config.from(Map.of());
        assertEquals("0.0.0.0", config.host());
        assertEquals(8080, config.port());
        assertEquals(8081, config.httpPort());
        assertEquals(65_536, config.maxMessageBytes());
        assertEquals(4L * 1024 * 1024, config.outboundLimitBytes());
        assertEquals(10_000, config.historySize());
        assertEquals(10_000, config.handshakeTimeoutMs());
        assertEquals(30, config.pingIntervalSeconds());
        assertEquals("staff_members", config.supabaseTable());
    }

    @Test
    void aPortThatIsNotANumberNamesTheVariableAndTheValue() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("PORT", "abc")));
        assertTrue(error.getMessage().contains("PORT") && error.getMessage().contains("abc"), error.getMessage());
    }

    @Test
    void aNegativeSizeIsRefused() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("HISTORY_SIZE", "-1")));
        assertTrue(error.getMessage().startsWith("HISTORY_SIZE"));
    }

    @Test
    void anUnknownStoreKindListsTheChoices() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("STORE", "redis")));
        assertTrue(error.getMessage().contains("memory"), error.getMessage());
    }

    @Test
    void settingSupabaseUrlSelectsTheSupabaseStore() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x.supabase.co", "SUPABASE_SERVICE_KEY", "k"));
        assertEquals(Config.StoreKind.SUPABASE, config.store());
    }

    @Test
    void theSupabaseStoreNeedsItsKey() {
        assertThrows(ConfigException.class, () -> Config.from(Map.of("STORE", "supabase", "SUPABASE_URL", "https://x")));
    }

    @Test
    void theKeyNeverAppearsInTheConfigurationText() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x", "SUPABASE_SERVICE_KEY", "sb_secret_abc123"));
        assertTrue(!config.toString().contains("sb_secret_abc123"));
    }

    @Test
    void redisUrlNeedsTheSupabaseStore() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("STORE", "file", "REDIS_URL", "redis://localhost:6379/0")));
        assertTrue(error.getMessage().startsWith("REDIS_URL") && error.getMessage().contains("STORE=supabase"),
                error.getMessage());
    }

    @Test
    void aBadRedisUrlIsRefusedWithoutQuotingIt() {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("SUPABASE_URL", "https://x",
                "SUPABASE_SERVICE_KEY", "k", "REDIS_URL", "http://:hunter2@localhost")));
        assertTrue(error.getMessage().startsWith("REDIS_URL") && !error.getMessage().contains("hunter2"),
                error.getMessage());
    }

    @Test
    void theRedisPasswordNeverAppearsInTheConfigurationText() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://x", "SUPABASE_SERVICE_KEY", "k",
                "REDIS_URL", "redis://app:hunter2@redis:6379/0"));
        assertEquals("redis://app:hunter2@redis:6379/0", config.redisUrl());
        assertTrue(config.toString().contains("redis://app:***@redis:6379/0"), config.toString());
        assertTrue(!config.toString().contains("hunter2"));
    }
}
