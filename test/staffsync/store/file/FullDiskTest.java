package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ErrorCode;
import staffsync.store.MutationResult;
import staffsync.store.StoreHealth;

/** A full disk refuses changes cleanly and the store recovers by itself once space returns. */
class FullDiskTest {
    @TempDir
    Path dir;

    private final DiskFaults disk = new DiskFaults();

    @Test
    void aWriteThatFailsIsRefusedAsStoreUnavailableAndNotBroadcast() throws Exception {
        try (StoreFixture fixture = open()) {
            fixture.createRows(2);
            disk.fill();
            MutationResult result = fixture.apply(Mutations.create("lost", "Lost"), "c-2", 1);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, assertInstanceOf(MutationResult.Rejected.class, result).code());
            assertEquals(2, fixture.listener.events().size());
        }
    }

    @Test
    void healthTurnsUnreachableWithTheReason() throws Exception {
        try (StoreFixture fixture = open()) {
            disk.fill();
            fixture.apply(Mutations.create("lost", "Lost"), "c-2", 1);
            StoreHealth health = fixture.store.health();
            assertFalse(health.reachable());
            assertTrue(health.lastError().contains("No space left on device"), health.lastError());
        }
    }

    @Test
    void afterSpaceReturnsTheNextWriteTakesTheRefusedSequenceNumberAndTheLogHasNoPartialBytes() throws Exception {
        try (StoreFixture fixture = open()) {
            fixture.createRows(2);
            disk.fill();
            fixture.apply(Mutations.create("lost", "Lost"), "c-2", 1);
            fixture.apply(Mutations.rename("s-0", "Lost too", 1L), "c-2", 2);
            disk.free();
            ChangeEvent next = fixture.commit(Mutations.rename("s-0", "Kept", 1L), "c-2", 3);
            assertEquals(3, next.sequence());
            assertEquals(2, next.row().version());
            assertTrue(fixture.store.health().reachable());
        }
        try (StoreFixture fixture = open()) {
            List<ChangeEvent> recent = fixture.listener.awaitLoaded().recentEvents();
            assertEquals(List.of(1L, 2L, 3L), recent.stream().map(ChangeEvent::sequence).toList());
            assertEquals(2, fixture.listener.awaitLoaded().rows().size());
        }
    }

    @Test
    void aRowCreatedInAFailedWriteDoesNotExist() throws Exception {
        try (StoreFixture fixture = open()) {
            disk.fill();
            fixture.apply(Mutations.create("x", "Lost"), "c-2", 1);
            disk.free();
            ChangeEvent created = fixture.commit(Mutations.create("x", "Second try"), "c-2", 1);
            assertEquals("Second try", created.row().name());
            assertEquals(1, created.sequence());
        }
    }

    @Test
    void healthRecoversByItselfWhenSpaceReturnsWithoutAnyWrite() throws Exception {
        try (StoreFixture fixture = open()) {
            disk.fill();
            fixture.apply(Mutations.create("lost", "Lost"), "c-2", 1);
            assertFalse(fixture.store.health().reachable());
            disk.free();
            long deadline = System.currentTimeMillis() + 5_000;
            while (!fixture.store.health().reachable() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(fixture.store.health().reachable());
        }
    }

    private StoreFixture open() throws InterruptedException {
        return StoreFixture.open(dir, StoreFixture.NO_COMPACTION, 100, disk);
    }
}
