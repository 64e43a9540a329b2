package staffsync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(60, config.protocolErrorLogPerMinute());
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

    @Test
    void aSupabaseUrlWithoutAKeyNamesTheMissingKeyAndNotStore() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co")));
        assertTrue(error.getMessage().contains("SUPABASE_SERVICE_KEY is not set"), error.getMessage());
        assertFalse(error.getMessage().contains("STORE"), "the user never set STORE: " + error.getMessage());
    }

    @Test
    void aKeyWithoutASupabaseUrlNamesTheMissingUrl() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_SERVICE_KEY", "sb_secret_abc")));
        assertTrue(error.getMessage().startsWith("SUPABASE_SERVICE_KEY is set but SUPABASE_URL is not"), error.getMessage());
    }

    @Test
    void aSupabaseUrlWithoutASchemeIsRefusedWithAnExample() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> Config.from(Map.of("SUPABASE_URL", "abcd.supabase.co", "SUPABASE_SERVICE_KEY", "k")));
        assertTrue(error.getMessage().contains("SUPABASE_URL must start with https://"), error.getMessage());
        assertTrue(error.getMessage().contains("'abcd.supabase.co'"), error.getMessage());
    }

    @Test
    void aSupabaseUrlEndingInRestV1IsCutToTheProjectUrlAndTheLogSaysSo() throws Exception {
        Config config = Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co/rest/v1/", "SUPABASE_SERVICE_KEY", "k"));
        assertEquals("https://abcd.supabase.co", config.supabaseUrl());
        assertTrue(config.storeDescription().contains("/rest/v1 was dropped"), config.storeDescription());
    }

    @Test
    void aDataDirThatIsAFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("data"));
        ConfigException error = assertThrows(ConfigException.class, () -> Config.from(Map.of("DATA_DIR", file.toString())));
        assertTrue(error.getMessage().contains("is a file, not a directory"), error.getMessage());
    }

    @Test
    void theStoreDescriptionSaysTheFileStoreIsTheDefaultWithoutSupabaseUrl() throws Exception {
        String description = Config.from(Map.of()).storeDescription();
        assertTrue(description.startsWith("store file: a durable log in "), description);
        assertTrue(description.contains("the default while SUPABASE_URL is not set"), description);
    }

    @Test
    void theStoreDescriptionNamesWhatChoseSupabaseOrMemory() throws Exception {
        assertTrue(Config.from(Map.of("SUPABASE_URL", "https://abcd.supabase.co", "SUPABASE_SERVICE_KEY", "k"))
                .storeDescription().endsWith("(SUPABASE_URL is set)"));
        assertTrue(Config.from(Map.of("STORE", "memory")).storeDescription().endsWith("(STORE=memory)"));
    }
}
