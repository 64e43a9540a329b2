package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.store.StoreStartException;

class DirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedWithAClearMessage() throws Exception {
        try (StoreFixture first = StoreFixture.open(dir)) {
            first.createRows(1);
            StoreStartException refused = assertThrows(StoreStartException.class, () -> StoreFixture.open(dir));
            assertTrue(refused.getMessage().contains("is in use by another staff-sync process"), refused.getMessage());
            assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
            assertEquals(2, first.commit(Mutations.create("still", "works"), "c-1", 2).sequence());
        }
    }

    @Test
    void closingTheStoreReleasesTheDirectory() throws Exception {
        try (StoreFixture first = StoreFixture.open(dir)) {
            first.createRows(1);
        }
        try (StoreFixture second = StoreFixture.open(dir)) {
            assertEquals(1, second.listener.awaitLoaded().sequence());
        }
    }

    @Test
    void aDataDirThatIsAFileFailsStartupNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        StoreStartException refused = assertThrows(StoreStartException.class, () -> StoreFixture.open(file));
        assertTrue(refused.getMessage().contains("DATA_DIR " + file), refused.getMessage());
    }
}
