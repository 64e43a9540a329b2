package staffsync.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code make run} builds only when the jar's sources changed. Asked of make itself in question
 * mode ({@code make -q}: nothing runs, the exit status says whether the target is up to date), on
 * the jar this test run was built into.
 */
class MakefileTest {

    private static int question(String... whatIf) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("staffsync.jar", "build/staff-sync.jar"));
        List<String> command = new ArrayList<>(List.of("make", "-q", "BUILD_DIR=" + jar.getParent()));
        for (String file : whatIf) {
            command.add("--what-if=" + file);
        }
        command.add(jar.toString());
        Process make = new ProcessBuilder(command).redirectErrorStream(true).start();
        make.getInputStream().readAllBytes();
        if (!make.waitFor(30, TimeUnit.SECONDS)) {
            make.destroyForcibly();
            throw new AssertionError("make -q did not answer within 30 s");
        }
        return make.exitValue();
    }

    @Test
    void theJarJustBuiltIsUpToDateSoMakeRunStartsWithoutBuilding() throws Exception {
        assertEquals(0, question(), "make -q: 0 means up to date");
    }

    @Test
    void aChangedSourceOrDependencyListMakesMakeRunBuildFirst() throws Exception {
        assertEquals(1, question("src/staffsync/Main.java"));
        assertEquals(1, question("deps.lock"));
    }

    @Test
    void aChangedBoardFileMakesMakeRunBuildFirst() throws Exception {
        // The live board's files are packed into the jar: the page served must be the one on disk.
        assertEquals(1, question("clients/board/board.js"));
        assertEquals(1, question("clients/js/staff-sync.js"));
    }
}
