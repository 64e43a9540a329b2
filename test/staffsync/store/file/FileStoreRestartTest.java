package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.StaffRow;
import staffsync.store.MutationResult;
import staffsync.store.StoreState;

class FileStoreRestartTest {
    @TempDir
    Path dir;

    @Test
    void aFreshDirectoryStartsAtSequenceZeroWithANewEpoch() throws Exception {
        String firstEpoch;
        try (StoreFixture fixture = StoreFixture.open(dir.resolve("a"))) {
            StoreState state = fixture.listener.awaitLoaded();
            assertEquals(0, state.sequence());
            assertTrue(state.rows().isEmpty());
            firstEpoch = state.epoch();
        }
        try (StoreFixture other = StoreFixture.open(dir.resolve("b"))) {
            assertNotEquals(firstEpoch, other.listener.awaitLoaded().epoch());
        }
    }

    @Test
    void restartKeepsTheEpochAndContinuesTheSequenceWithoutGap() throws Exception {
        String epoch;
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            epoch = fixture.listener.awaitLoaded().epoch();
            fixture.createRows(3);
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            StoreState state = fixture.listener.awaitLoaded();
            assertEquals(epoch, state.epoch());
            assertEquals(3, state.sequence());
            assertEquals(4, fixture.commit(Mutations.create("s-new", "New"), "c-2", 1).sequence());
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(4, fixture.listener.awaitLoaded().sequence());
        }
    }

    @Test
    void restartRestoresEveryRowWithItsVersion() throws Exception {
        List<StaffRow> before;
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            fixture.createRows(3);
            fixture.commit(Mutations.rename("s-1", "Renamed", 1L), "c-1", 10);
            fixture.commit(Mutations.rename("s-1", "Renamed again", null), "c-1", 11);
            fixture.commit(Mutations.delete("s-2", 1L), "c-1", 12);
            before = fixture.listener.events().stream().map(ChangeEvent::row).collect(Collectors.toList());
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            Map<String, StaffRow> rows = byId(fixture.listener.awaitLoaded().rows());
            assertEquals(2, rows.size());
            assertEquals(before.get(0), rows.get("s-0"));
            assertEquals(before.get(4), rows.get("s-1"));
            assertEquals(3, rows.get("s-1").version());
        }
    }

    @Test
    void recentEventsSurviveRestartFieldForFieldAndEncodeToTheSameBroadcastBytes() throws Exception {
        List<ChangeEvent> committed;
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            fixture.createRows(2);
            fixture.commit(Mutations.rename("s-0", "Ünïcødé 👩‍⚕️", 1L), "client-ü", 42);
            fixture.store.apply(Mutations.delete("s-1", null), Origin.SERVER); // no client sequence
            committed = fixture.listener.events();
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            List<ChangeEvent> recent = fixture.listener.awaitLoaded().recentEvents();
            assertEquals(committed, recent);
            for (int i = 0; i < committed.size(); i++) {
                assertEquals(ServerMessages.event(committed.get(i)), ServerMessages.event(recent.get(i)));
            }
        }
    }

    @Test
    void recentEventsAreTheNewestUpToTheLimitEndingAtTheLastSequence() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 5, WriteFaults.NONE)) {
            fixture.createRows(12);
        }
        try (StoreFixture fixture = StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 5, WriteFaults.NONE)) {
            List<ChangeEvent> recent = fixture.listener.awaitLoaded().recentEvents();
            assertEquals(List.of(8L, 9L, 10L, 11L, 12L), recent.stream().map(ChangeEvent::sequence).toList());
            assertEquals(new Origin("c-1", 12L), recent.get(4).origin());
        }
    }

    @Test
    void theFingerprintOfTheMessageBehindAnEventSurvivesRestart() throws Exception {
        Origin origin = new Origin("c-9", 5L, "0123456789abcdef0123456789abcdef");
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            fixture.store.apply(Mutations.create("s-0", "Staff"), origin);
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(origin, fixture.listener.awaitLoaded().recentEvents().get(0).origin());
        }
    }

    @Test
    void aRefusedMutationUsesNoSequenceNumberAndIsNotLogged() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            fixture.createRows(1);
            MutationResult stale = fixture.apply(Mutations.rename("s-0", "x", 7L), "c-1", 2);
            assertEquals(ErrorCode.VERSION_CONFLICT, assertInstanceOf(MutationResult.Rejected.class, stale).code());
            MutationResult missing = fixture.apply(Mutations.delete("nobody", null), "c-1", 3);
            assertEquals(ErrorCode.NOT_FOUND, assertInstanceOf(MutationResult.Rejected.class, missing).code());
            assertEquals(2, fixture.commit(Mutations.rename("s-0", "y", 1L), "c-1", 4).sequence());
        }
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            assertEquals(2, fixture.listener.awaitLoaded().sequence());
        }
    }

    @Test
    void theListenerGetsEachCommitInSequenceOrderBeforeApplyReturns() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir)) {
            List<Thread> writers = new ArrayList<>();
            List<AssertionError> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int w = 0; w < 8; w++) {
                String client = "c-" + w;
                writers.add(new Thread(() -> {
                    for (int i = 0; i < 40; i++) {
                        ChangeEvent event = fixture.commit(Mutations.create(client + "-" + i, "n"), client, i);
                        if (!fixture.listener.events().contains(event)) {
                            failures.add(new AssertionError("apply returned before the listener saw " + event));
                        }
                    }
                }));
            }
            writers.forEach(Thread::start);
            for (Thread writer : writers) {
                writer.join();
            }
            assertEquals(List.of(), failures);
            List<ChangeEvent> committed = fixture.listener.events();
            assertEquals(320, committed.size());
            for (int i = 0; i < committed.size(); i++) {
                assertEquals(i + 1, committed.get(i).sequence());
            }
        }
    }

    @Test
    void concurrentWritersShareFsyncs() throws Exception {
        DiskFaults disk = new DiskFaults(); // counts one write per fsync'd batch
        try (StoreFixture fixture = StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 100, disk)) {
            int writers = 16;
            int each = 30;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String client = "c-" + w;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        fixture.commit(Mutations.create(client + "-" + i, "n"), client, i);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(writers * each, fixture.listener.events().size());
            assertTrue(disk.writes() < writers * each / 2,
                    "expected batches to share fsyncs, but " + disk.writes() + " writes for " + writers * each + " commits");
        }
    }

    private static Map<String, StaffRow> byId(List<StaffRow> rows) {
        return rows.stream().collect(Collectors.toMap(StaffRow::id, row -> row));
    }
}
