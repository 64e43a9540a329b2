package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.store.StoreStartException;

/** Damage before the last record is never silently skipped: startup stops and says where. */
class CorruptLogTest {
    @TempDir
    Path dir;

    @Test
    void aChecksumMismatchInAMiddleRecordStopsStartupNamingTheFileAndOffset() throws Exception {
        List<Long> offsets = writeFiveRecords();
        Path segment = LogFiles.onlySegment(dir);
        LogFiles.flipByte(segment, offsets.get(2) + RecordFrame.HEADER_BYTES + 10);

        StoreStartException failure = assertThrows(StoreStartException.class, () -> StoreFixture.open(dir));
        assertTrue(failure.getMessage().contains(segment + " at offset " + offsets.get(2)), failure.getMessage());
        assertTrue(failure.getMessage().contains("checksum mismatch"), failure.getMessage());
    }

    @Test
    void aDamagedLengthInAMiddleRecordStopsStartupRatherThanLookLikeATornTail() throws Exception {
        List<Long> offsets = writeFiveRecords();
        Path segment = LogFiles.onlySegment(dir);
        LogFiles.flipByte(segment, offsets.get(1) + 1); // the length field: would point past the end

        StoreStartException failure = assertThrows(StoreStartException.class, () -> StoreFixture.open(dir));
        assertTrue(failure.getMessage().contains(segment + " at offset " + offsets.get(1)), failure.getMessage());
    }

    @Test
    void theFailedStartLeavesTheFilesUntouchedAndTheDirectoryUnlocked() throws Exception {
        List<Long> offsets = writeFiveRecords();
        Path segment = LogFiles.onlySegment(dir);
        LogFiles.flipByte(segment, offsets.get(2) + RecordFrame.HEADER_BYTES + 10);
        long size = Files.size(segment);

        assertThrows(StoreStartException.class, () -> StoreFixture.open(dir));
        assertEquals(size, Files.size(segment));
        LogFiles.flipByte(segment, offsets.get(2) + RecordFrame.HEADER_BYTES + 10); // repaired from a backup
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(5, fixture.listener.awaitLoaded().sequence());
        }
    }

    @Test
    void logFilesWithoutTheirEpochFileStopStartup() throws Exception {
        writeFiveRecords();
        Files.delete(dir.resolve("epoch"));
        StoreStartException failure = assertThrows(StoreStartException.class, () -> StoreFixture.open(dir));
        assertTrue(failure.getMessage().contains("no epoch file"), failure.getMessage());
    }

    /** Writes five records; returns the offset at which each starts. */
    private List<Long> writeFiveRecords() throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            for (int i = 0; i < 5; i++) {
                offsets.add(Files.size(LogFiles.onlySegment(dir)));
                fixture.commit(Mutations.create("s-" + i, "Staff " + i), "c-1", i);
            }
        }
        return offsets;
    }
}
