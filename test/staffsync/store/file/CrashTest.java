package staffsync.store.file;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar, 8 writing clients, kill -9 at random moments: nothing acknowledged is lost. */
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void killNineAtRandomMomentsLosesNoAcknowledgedChangeAndKeepsTheNumberingGapFree() throws Exception {
        int rounds = Integer.getInteger("staffsync.crash.rounds", 20);
        new CrashRounds(dir.resolve("data"), Map.of(), CrashTest.class).run(rounds, 0, 600);
    }
}
