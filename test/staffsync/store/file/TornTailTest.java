package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.protocol.ChangeEvent;
import staffsync.store.StoreState;

/** A crash in the middle of a write leaves a partial last record: start cuts it off and goes on. */
class TornTailTest {
    @TempDir
    Path dir;

    @Test
    void truncatingTheLastRecordAtEveryByteOffsetRecoversTheRecordsBeforeIt() throws Exception {
        Path original = dir.resolve("original");
        long sizeBeforeLast = writeRowsThenOneMore(original, 4);
        Path segment = LogFiles.onlySegment(original);
        byte[] full = Files.readAllBytes(segment);
        assertTrue(full.length - sizeBeforeLast > RecordFrame.HEADER_BYTES);

        for (long cut = sizeBeforeLast; cut < full.length; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            LogFiles.copyLog(original, copy);
            Files.write(copy.resolve(segment.getFileName()), java.util.Arrays.copyOf(full, (int) cut));
            try (StoreFixture fixture = StoreFixture.open(copy)) {
                StoreState state = fixture.listener.awaitLoaded();
                assertEquals(4, state.sequence(), "cut at " + cut);
                assertEquals(4, state.rows().size(), "cut at " + cut);
                assertEquals(sizeBeforeLast, Files.size(copy.resolve(segment.getFileName())), "cut at " + cut);
                assertEquals(5, fixture.commit(Mutations.create("after", "After"), "c-2", 1).sequence());
            }
            try (StoreFixture fixture = StoreFixture.open(copy)) {
                assertEquals(5, fixture.listener.awaitLoaded().sequence(), "cut at " + cut);
            }
        }
    }

    @Test
    void theCutIsReportedWithTheFileAndOffset() throws Exception {
        long sizeBeforeLast = writeRowsThenOneMore(dir, 2);
        Path segment = LogFiles.onlySegment(dir);
        truncate(segment, Files.size(segment) - 3);
        try (LogCapture log = new LogCapture(LogRecovery.class); StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(2, fixture.listener.awaitLoaded().sequence());
            assertTrue(log.text().contains("torn tail in " + segment + " at offset " + sizeBeforeLast), log.text());
        }
    }

    @Test
    void aZeroFilledTailAfterTheLastRecordIsCutOff() throws Exception {
        writeRowsThenOneMore(dir, 2);
        Path segment = LogFiles.onlySegment(dir);
        long size = Files.size(segment);
        Files.write(segment, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(3, fixture.listener.awaitLoaded().sequence());
            assertEquals(size, Files.size(segment));
        }
    }

    @Test
    void aLastRecordWhoseChecksumFailsAtTheEndOfTheFileIsTreatedAsTorn() throws Exception {
        writeRowsThenOneMore(dir, 2);
        Path segment = LogFiles.onlySegment(dir);
        LogFiles.flipByte(segment, Files.size(segment) - 2);
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            List<ChangeEvent> recent = fixture.listener.awaitLoaded().recentEvents();
            assertEquals(2, recent.get(recent.size() - 1).sequence());
        }
    }

    /** Writes {@code rows} creates, then one update; returns the segment size before the update. */
    private static long writeRowsThenOneMore(Path dir, int rows) throws Exception {
        long sizeBefore;
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            fixture.createRows(rows);
            sizeBefore = Files.size(LogFiles.onlySegment(dir));
            fixture.commit(Mutations.rename("s-0", "Last change", 1L), "c-1", 100);
        }
        return sizeBefore;
    }

    private static void truncate(Path file, long size) throws IOException {
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) size));
    }
}
