package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the smallest segment size the server compacts every few dozen events, so kills land
 * before, during and after snapshot writes, renames and deletions.
 */
class CompactionUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void killNineWhileCompactingUnderLoadLeavesTheStateIntact() throws Exception {
        int rounds = Integer.getInteger("staffsync.compaction.rounds", 6);
        CrashRounds crashes = new CrashRounds(dir.resolve("data"), Map.of("LOG_COMPACT_BYTES", "4096"),
                CompactionUnderLoadTest.class);
        crashes.run(rounds, 200, 900);
        assertFalse(LogFiles.snapshots(crashes.dataDir()).isEmpty(), "no compaction happened");
    }
}
