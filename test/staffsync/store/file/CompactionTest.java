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
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.store.RowTable;
import staffsync.store.StoreState;

class CompactionTest {
    private static final long SMALL_SEGMENT = 4096;

    @TempDir
    Path dir;

    @Test
    void passingTheSizeLimitWritesASnapshotAndDropsTheOldSegments() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir, SMALL_SEGMENT, 50, WriteFaults.NONE)) {
            fixture.createRows(100);
            awaitCompacted();
            List<Path> snapshots = LogFiles.snapshots(dir);
            assertEquals(1, snapshots.size());
            long snapshotSequence = sequenceIn(snapshots.get(0));
            assertTrue(snapshotSequence > 0);
            for (Path segment : LogFiles.segments(dir)) {
                assertTrue(sequenceIn(segment) >= snapshotSequence, "old segment left: " + segment);
            }
        }
    }

    @Test
    void restartAfterCompactionLoadsSnapshotPlusTailWithNothingLost() throws Exception {
        StoreState expected;
        try (StoreFixture fixture = StoreFixture.open(dir, SMALL_SEGMENT, 50, WriteFaults.NONE)) {
            fixture.createRows(60);
            for (int i = 0; i < 60; i += 3) {
                fixture.commit(Mutations.rename("s-" + i, "Renamed " + i, null), "c-2", i);
            }
            awaitCompacted();
            fixture.commit(Mutations.delete("s-1", null), "c-3", 7);
            expected = stateFromEvents(fixture.listener.events(), 50);
        }
        try (StoreFixture fixture = StoreFixture.open(dir, SMALL_SEGMENT, 50, WriteFaults.NONE)) {
            StoreState state = fixture.listener.awaitLoaded();
            assertEquals(expected.sequence(), state.sequence());
            assertEquals(sorted(expected.rows()), sorted(state.rows()));
            assertEquals(expected.recentEvents(), state.recentEvents());
            assertEquals(new Origin("c-3", 7L), state.recentEvents().get(49).origin());
        }
    }

    @Test
    void everyStateACrashDuringCompactionCanLeaveLoads() throws Exception {
        String epoch;
        List<ChangeEvent> events;
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            epoch = fixture.listener.awaitLoaded().epoch();
            fixture.createRows(10);
            events = fixture.listener.events();
        }
        DataDirectory directory = new DataDirectory(dir);
        // 1: the writer rolled to a new segment at 10, the snapshot is half written
        Files.createFile(directory.segmentPath(10));
        Files.write(dir.resolve("snapshot-00000000000000000010.snap.tmp"), new byte[] {1, 2, 3});
        assertLoads(10, 10);
        // 2: snapshot renamed into place, old segment not yet deleted
        StoreState expected = stateFromEvents(events, 100);
        new Snapshot(epoch, 10, expected.rows(), expected.recentEvents()).writeTo(directory);
        assertLoads(10, 10);
        assertEquals(2, LogFiles.segments(dir).size());
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(11, fixture.commit(Mutations.create("after", "After"), "c-9", 1).sequence());
        }
        // 3: old segment deleted
        Files.delete(directory.segmentPath(0));
        assertLoads(11, 11);
        assertTrue(Files.notExists(dir.resolve("snapshot-00000000000000000010.snap.tmp")));
    }

    @Test
    void recentEventsWithOriginsSurviveSeveralCompactions() throws Exception {
        List<ChangeEvent> committed;
        try (StoreFixture fixture = StoreFixture.open(dir, SMALL_SEGMENT, 40, WriteFaults.NONE)) {
            for (int round = 0; round < 4; round++) {
                fixture.createRows(0);
                for (int i = 0; i < 40; i++) {
                    fixture.commit(Mutations.create("r" + round + "-" + i, "n"), "client-" + round, i);
                }
                awaitCompacted();
            }
            committed = fixture.listener.events();
        }
        try (StoreFixture fixture = StoreFixture.open(dir, SMALL_SEGMENT, 40, WriteFaults.NONE)) {
            List<ChangeEvent> recent = fixture.listener.awaitLoaded().recentEvents();
            assertEquals(committed.subList(committed.size() - 40, committed.size()), recent);
            assertEquals(160, fixture.listener.awaitLoaded().rows().size());
        }
    }

    private void assertLoads(long sequence, int rows) throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            StoreState state = fixture.listener.awaitLoaded();
            assertEquals(sequence, state.sequence());
            assertEquals(rows, state.rows().size());
        }
    }

    /** Waits until there is a snapshot, no temp file, and no segment older than the snapshot. */
    private void awaitCompacted() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            List<Path> snapshots = LogFiles.snapshots(dir);
            if (snapshots.size() == 1 && !hasTempFiles()
                    && sequenceIn(LogFiles.segments(dir).get(0)) >= sequenceIn(snapshots.get(0))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no compaction within 10 s; files: " + LogFiles.segments(dir) + LogFiles.snapshots(dir));
    }

    private boolean hasTempFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".tmp"));
        }
    }

    private static long sequenceIn(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('-') + 1, name.indexOf('.')));
    }

    /** What a store that saw exactly these events must hold. */
    private static StoreState stateFromEvents(List<ChangeEvent> events, int recentLimit) {
        RowTable table = new RowTable();
        events.forEach(table::commit);
        List<ChangeEvent> recent = events.subList(Math.max(0, events.size() - recentLimit), events.size());
        return new StoreState("expected", events.get(events.size() - 1).sequence(), table.rows(), recent);
    }

    private static List<StaffRow> sorted(List<StaffRow> rows) {
        return rows.stream().sorted(java.util.Comparator.comparing(StaffRow::id)).toList();
    }
}
