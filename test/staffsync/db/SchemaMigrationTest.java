package staffsync.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * db/schema.sql is a safe migration, runnable twice, on a new project and on one whose app
 * already has its own staff_members table: db/check-schema.sh checks both (and the state the
 * former script left when it stopped half-way) against a throwaway PostgreSQL. Skipped when
 * PostgreSQL is not installed; {@code make check-schema} installs it (Debian, as root) and runs
 * the same script.
 */
class SchemaMigrationTest {

    static boolean postgresInstalled() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "initdb"))) {
                return true;
            }
        }
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return false;
        }
        try (Stream<Path> installed = Files.list(versions)) {
            return installed.anyMatch(version -> Files.isExecutable(version.resolve("bin/initdb")));
        }
    }

    @Test
    void theSchemaMigratesAFreshAndAnExistingTableTwiceKeepingTheAppsRowsAndAccess() throws Exception {
        Assumptions.assumeTrue(postgresInstalled(), "PostgreSQL is not installed: run make check-schema");
        ProcessBuilder builder = new ProcessBuilder("bash", "db/check-schema.sh").redirectErrorStream(true);
        builder.environment().put("CHECK_SCHEMA_NO_INSTALL", "1");
        Process check = builder.start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.strip().endsWith("check-schema: OK"), output);
    }
}
