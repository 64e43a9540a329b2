package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.store.MutationResult;

/**
 * One row's changes queued without waiting for each other (as a client with a window of
 * changes in flight sends them): each is decided against the state the previous, not yet
 * synced, one leaves, and the queued ones share one write and fsync.
 */
class QueuedChangesTest {
    private static final int WINDOW = 64;

    @TempDir
    Path dir;

    private final HeldDisk disk = new HeldDisk();
    private final List<MutationResult> outcomes = new ArrayList<>(); // guarded by itself

    @Test
    void aRowsQueuedChangesEachBuildOnThePreviousAndShareOneFsync() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 100, disk)) {
            fixture.createRows(1); // s-0 at version 1
            queueWindowBehindAHeldWrite(fixture);
            int writesBefore = disk.writes.get();
            disk.release();
            awaitOutcomes(WINDOW);
            for (int k = 0; k < WINDOW; k++) {
                ChangeEvent event = assertInstanceOf(MutationResult.Applied.class, outcome(k),
                        "change " + k + ": " + outcome(k)).event();
                assertEquals(k + 2, event.row().version(), "each change is decided on the one before it");
                assertEquals(k + 2, event.sequence());
                assertEquals("n" + k, event.row().name());
            }
            assertEquals(1, disk.writes.get() - writesBefore, "the changes queued behind the held write share one");
            assertEquals(WINDOW + 1, fixture.listener.events().size());
        }
        try (StoreFixture reopened = StoreFixture.open(dir)) {
            assertEquals(WINDOW + 1, reopened.listener.awaitLoaded().sequence());
        }
    }

    @Test
    void changesQueuedOnAChangeWhoseWriteFailsAreRefusedNotAppliedOnTheOlderRow() throws Exception {
        try (StoreFixture fixture = StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 100, disk)) {
            fixture.createRows(1);
            disk.failNext();
            queueWindowBehindAHeldWrite(fixture);
            disk.release();
            awaitOutcomes(WINDOW);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(MutationResult.Rejected.class, outcome(0)).code());
            for (int k = 1; k < WINDOW; k++) {
                MutationResult.Rejected refused = assertInstanceOf(MutationResult.Rejected.class, outcome(k));
                assertEquals(ErrorCode.VERSION_CONFLICT, refused.code(), "change " + k + ": " + refused);
                assertEquals(1, refused.current().version());
            }
            assertEquals(1, fixture.listener.events().size(), "nothing after the create was told");
        }
        try (StoreFixture reopened = StoreFixture.open(dir)) {
            assertEquals(1, reopened.listener.awaitLoaded().sequence());
        }
    }

    /** Change 0 (version 1 -> 2) is taken and held in its write; changes 1..63 queue behind it. */
    private void queueWindowBehindAHeldWrite(StoreFixture fixture) throws InterruptedException {
        disk.hold();
        for (int k = 0; k < WINDOW; k++) {
            fixture.store.applyThen(Mutations.rename("s-0", "n" + k, (long) k + 1), new Origin("c-2", k + 1L),
                    this::record);
            if (k == 0) {
                assertTrue(disk.awaitHeld(), "the first change reached the disk");
            }
        }
    }

    private void record(MutationResult result) {
        synchronized (outcomes) {
            outcomes.add(result);
            outcomes.notifyAll();
        }
    }

    private MutationResult outcome(int k) {
        synchronized (outcomes) {
            return outcomes.get(k);
        }
    }

    private void awaitOutcomes(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (outcomes) {
            while (outcomes.size() < count) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "only " + outcomes.size() + " of " + count + " outcomes came");
                outcomes.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** A disk whose next write can be held until released, and made to fail. Counts writes. */
    private static final class HeldDisk implements WriteFaults {
        final AtomicInteger writes = new AtomicInteger();
        private volatile CountDownLatch held;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean failNext;

        void hold() {
            held = released;
        }

        void failNext() {
            failNext = true;
        }

        boolean awaitHeld() throws InterruptedException {
            return reached.await(10, TimeUnit.SECONDS);
        }

        void release() {
            released.countDown();
        }

        @Override
        public void beforeWrite(FileChannel channel, long position, ByteBuffer data) throws IOException {
            writes.incrementAndGet();
            CountDownLatch gate = held;
            if (gate != null) {
                held = null;
                reached.countDown();
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (failNext) {
                    failNext = false;
                    throw new IOException("No space left on device");
                }
            }
        }
    }
}
