package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.store.supabase.StoreFixture.CLIENT;
import static staffsync.store.supabase.StoreFixture.WAIT;
import static staffsync.store.supabase.StoreFixture.applied;
import static staffsync.store.supabase.StoreFixture.create;
import static staffsync.store.supabase.StoreFixture.delete;
import static staffsync.store.supabase.StoreFixture.rejected;
import static staffsync.store.supabase.StoreFixture.rename;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.store.MutationResult;
import staffsync.store.StoreHealth;

/** Outages, gateway errors and lost answers: never report a change applied when it is not, never lose one. */
class SupabaseStoreFaultTest {
    @RegisterExtension
    final StoreFixture fixture = new StoreFixture();

    /** Waits until the store's first load attempt has failed (the machine may be busy). */
    private static void awaitAFailure(SupabaseStore store) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (HealthTracker.NOT_LOADED_YET.equals(store.health().lastError()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void startReturnsAtOnceWhenNothingListensAndReportsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SupabaseStore store = new SupabaseStore("http://127.0.0.1:" + closedPort, ApiKey.parse(PostgrestStandIn.SECRET_KEY),
                "staff_members", new SupabaseStore.Settings(StoreFixture.TIMEOUT, StoreFixture.POLL,
                StoreFixture.PROBE, StoreFixture.OVERLAP), RequestObserver.NONE);
        try {
            long start = System.nanoTime();
            store.start(fixture.listener);
            assertTrue(System.nanoTime() - start < Duration.ofMillis(500).toNanos());
            awaitAFailure(store);
            StoreHealth health = store.health();
            assertFalse(health.reachable());
            assertTrue(health.lastError().contains("ConnectException"), health.lastError());
            assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected(store.apply(create("a", "Ada"), CLIENT)).code());
        } finally {
            store.close();
        }
    }

    @Test
    void loadIsRetriedUntilSupabaseAnswersAndWritesWorkAfterwards() throws Exception {
        fixture.standIn.beginOutage(PostgrestStandIn.Fault.PLAIN_503);
        SupabaseStore store = fixture.newStore();
        store.start(fixture.listener);
        awaitAFailure(store);
        assertNull(fixture.listener.loaded());
        assertTrue(store.health().lastError().contains("503"), store.health().lastError());
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected(store.apply(create("a", "Ada"), CLIENT)).code());

        fixture.standIn.endOutage();
        fixture.listener.awaitLoaded(WAIT);
        applied(store.apply(create("a", "Ada"), CLIENT));
        assertTrue(store.health().reachable());
    }

    @Test
    void aPlainText503OnAWriteIsStoreUnavailableAndNothingIsReported() throws Exception {
        SupabaseStore store = fixture.startedStore();
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.PLAIN_503, 1);
        MutationResult.Rejected rejected = rejected(store.apply(create("a", "Ada"), CLIENT));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected.code());
        assertNull(fixture.standIn.row("a"));
        assertTrue(fixture.listener.events().isEmpty());
    }

    @Test
    void aGateway502OnAWriteThatDidNotApplyIsReadBackAndStoreUnavailable() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.GATEWAY_502_JSON, 1);
        MutationResult.Rejected rejected = rejected(store.apply(rename("a", "B", 1L), CLIENT));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected.code());
        assertEquals(1, fixture.standIn.row("a").get("version").getAsLong());
        assertEquals(1, fixture.listener.events().size());
    }

    @Test
    void aDroppedConnectionBeforeTheWriteIsStoreUnavailable() throws Exception {
        SupabaseStore store = fixture.startedStore();
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.CONNECTION_RESET, 1);
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected(store.apply(create("a", "Ada"), CLIENT)).code());
        assertNull(fixture.standIn.row("a"));
        assertTrue(fixture.listener.events().isEmpty());
    }

    @Test
    void aCreateWhoseAnswerWasLostIsReadBackAndReportedApplied() throws Exception {
        SupabaseStore store = fixture.startedStore();
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        ChangeEvent event = applied(store.apply(create("a", "Ada"), CLIENT)).event();
        assertEquals(Kind.CREATE, event.kind());
        assertEquals(CLIENT, event.origin());
        assertNotNull(fixture.standIn.row("a"));
        StoreFixture.awaitPolls(fixture.standIn, 3); // the poller must not report it again
        assertEquals(1, fixture.listener.events().size());
    }

    @Test
    void anUpdateWhoseAnswerWasLostIsReadBackAndReportedApplied() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        ChangeEvent event = applied(store.apply(rename("a", "Ada L.", 1L), CLIENT)).event();
        assertEquals(2, event.row().version());
        assertEquals("Ada L.", event.row().name());
        StoreFixture.awaitPolls(fixture.standIn, 3);
        assertEquals(2, fixture.listener.events().size());
    }

    @Test
    void aDeleteWhoseAnswerWasLostIsReadBackAndReportedApplied() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        ChangeEvent event = applied(store.apply(delete("a", 1L), CLIENT)).event();
        assertEquals(Kind.DELETE, event.kind());
        StoreFixture.awaitPolls(fixture.standIn, ChangePoller.DELETION_CHECK_EVERY + 1); // past a deletion check: not reported twice
        assertEquals(2, fixture.listener.events().size());
    }

    @Test
    void aWriteWhoseOutcomeCannotBeLearnedIsNotReportedAppliedAndThePollerDeliversItLater() throws Exception {
        SupabaseStore store = fixture.startedStore();
        fixture.standIn.setLatency(StoreFixture.TIMEOUT.plusMillis(400)); // the write lands after we gave up
        MutationResult result = store.apply(create("a", "Ada"), new Origin("client-1", 9L));
        assertFalse(result instanceof MutationResult.Applied, result.toString());
        fixture.standIn.setLatency(Duration.ZERO);
        ChangeEvent event = fixture.listener.await(e -> e.row().id().equals("a"), WAIT);
        assertEquals(Origin.SERVER, event.origin());
        assertEquals(Kind.CREATE, event.kind());
    }
}
