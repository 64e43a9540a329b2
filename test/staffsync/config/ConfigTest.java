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
    void theLimitsAgainstHostileClientsHaveDefaults() throws Exception {
        Config config = Config.from(Map.of(), new OpenFileLimits(20_000, 20_000));
        assertEquals(100_000, config.maxRows());
        assertEquals(1_000, config.maxWritesPerSecond());
        assertEquals(5_000, config.hubStallTimeoutMs());
        assertEquals(0, config.maxConnectionsPerIp(), "off");
        assertEquals(128, config.httpMaxConnections());
        assertEquals(10, config.httpRequestTimeoutSeconds());
        assertEquals(30, config.httpIdleTimeoutSeconds());
    }

    @Test
    void maxConnectionsDefaultsBelowTheOpenFilesLimitLeavingRoomForEverythingElse() throws Exception {
        // 10% for sockets still in their handshake, HTTP_MAX_CONNECTIONS, 64 for the JVM, store and log.
        assertEquals(20_000 - 2_000 - 128 - 64, Config.from(Map.of(), new OpenFileLimits(20_000, 20_000)).maxConnections());
        assertEquals(1_024 - 102 - 16 - 64, Config.from(Map.of("HTTP_MAX_CONNECTIONS", "16"),
                new OpenFileLimits(1_024, 4_096)).maxConnections());
        assertEquals(10_000, Config.from(Map.of(), new OpenFileLimits(-1, -1)).maxConnections(), "limit unknown");
        assertEquals(50, Config.from(Map.of("MAX_CONNECTIONS", "50"), new OpenFileLimits(20_000, 20_000)).maxConnections());
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
