package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.store.supabase.StoreFixture.CLIENT;
import static staffsync.store.supabase.StoreFixture.applied;
import static staffsync.store.supabase.StoreFixture.create;
import static staffsync.store.supabase.StoreFixture.delete;
import static staffsync.store.supabase.StoreFixture.rejected;
import static staffsync.store.supabase.StoreFixture.rename;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.StaffRow;
import staffsync.store.MutationResult;
import staffsync.store.StoreState;
import staffsync.support.RecordingListener;

/** The store's rules against the PostgREST stand-in: load, compare-and-set writes, error mapping. */
class SupabaseStoreTest {
    @RegisterExtension
    final StoreFixture fixture = new StoreFixture();

    private JsonObject seed(String id, String name) throws StandInError {
        JsonObject row = new JsonObject();
        row.addProperty("id", id);
        row.addProperty("name", name);
        return fixture.standIn.insertDirectly(row);
    }

    @Test
    void startLoadsEveryRowInPagesOfAtMostOneThousandOrderedById() throws Exception {
        for (int i = 0; i < 2_345; i++) {
            seed(String.format("id-%05d", i), "Person " + i);
        }
        fixture.startedStore();
        StoreState state = fixture.listener.loaded();
        assertEquals(2_345, state.rows().size());
        assertEquals(0, state.sequence());
        List<PostgrestStandIn.Request> loads = fixture.standIn.requests().stream()
                .filter(r -> r.pathAndQuery().contains("order=id.asc")).toList();
        assertEquals(4, loads.size(), "three full-or-partial pages and the empty page that ends the load");
        assertTrue(loads.stream().allMatch(r -> r.pathAndQuery().contains("limit=1000")));
        assertTrue(loads.get(1).pathAndQuery().contains("id=gt.id-00999"), loads.get(1).pathAndQuery());
    }

    @Test
    void eachStartIsANewEpochNumberedFromZero() throws Exception {
        fixture.startedStore();
        RecordingListener second = new RecordingListener();
        fixture.newStore().start(second);
        StoreState other = second.awaitLoaded(StoreFixture.WAIT);
        assertFalse(other.epoch().equals(fixture.listener.loaded().epoch()));
        assertEquals(0, other.sequence());
    }

    @Test
    void createStoresTheRowAtVersionOneAndReportsItAsEventOne() throws Exception {
        SupabaseStore store = fixture.startedStore();
        ChangeEvent event = applied(store.apply(create("a", "Ada", 3), CLIENT)).event();
        assertEquals(1, event.sequence());
        assertEquals(Kind.CREATE, event.kind());
        assertEquals(CLIENT, event.origin());
        assertEquals(1, event.row().version());
        assertEquals("Ward 3", event.row().department());
        assertEquals(3, fixture.standIn.row("a").get("period").getAsLong());
        assertEquals(List.of(event), fixture.listener.events());
    }

    @Test
    void timestampsFromTheDatabaseKeepTheirMicroseconds() throws Exception {
        SupabaseStore store = fixture.startedStore();
        StaffRow row = applied(store.apply(create("a", "Ada"), CLIENT)).event().row();
        JsonObject stored = fixture.standIn.row("a");
        assertEquals(stored.get("created_at").getAsString(), row.createdAt());
        assertEquals(stored.get("updated_at").getAsString(), row.updatedAt());
    }

    @Test
    void aLoadedRowKeepsTheTablesTimestampTextToTheMicrosecond() throws Exception {
        seed("a", "Ada");
        fixture.standIn.table().backdate("a", Instant.parse("2026-11-20T08:00:00.123456Z"));
        fixture.startedStore();
        StaffRow loaded = fixture.listener.loaded().rows().get(0);
        assertEquals("2026-11-20T08:00:00.123456+00:00", loaded.updatedAt());
    }

    @Test
    void createOfAnExistingIdIsAlreadyExistsWithTheStoredRow() throws Exception {
        seed("a", "Ada");
        SupabaseStore store = fixture.startedStore();
        MutationResult.Rejected rejected = rejected(store.apply(create("a", "Other"), CLIENT));
        assertEquals(ErrorCode.ALREADY_EXISTS, rejected.code());
        assertEquals("Ada", rejected.current().name());
        assertTrue(fixture.listener.events().isEmpty());
    }

    @Test
    void updateWithTheStoredVersionAppliesAndTheTriggerMovesVersionOn() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        ChangeEvent event = applied(store.apply(rename("a", "Ada L.", 1L), CLIENT)).event();
        assertEquals(Kind.UPDATE, event.kind());
        assertEquals(2, event.row().version());
        assertEquals(List.of("name"), event.changedFields());
        assertEquals(2, fixture.standIn.row("a").get("version").getAsLong());
        assertTrue(fixture.standIn.requests().stream().anyMatch(r -> r.method().equals("PATCH")
                && r.pathAndQuery().contains("id=eq.a&version=eq.1")));
    }

    @Test
    void updateWithAStaleVersionIsAConflictCarryingTheCurrentRowAndChangesNothing() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        store.apply(rename("a", "Second", 1L), CLIENT);
        MutationResult.Rejected rejected = rejected(store.apply(rename("a", "Stale", 1L), CLIENT));
        assertEquals(ErrorCode.VERSION_CONFLICT, rejected.code());
        assertEquals(2, rejected.current().version());
        assertEquals("Second", fixture.standIn.row("a").get("name").getAsString());
        assertEquals(2, fixture.listener.events().size());
    }

    @Test
    void updateOfAMissingRowIsNotFound() throws Exception {
        SupabaseStore store = fixture.startedStore();
        assertEquals(ErrorCode.NOT_FOUND, rejected(store.apply(rename("nobody", "X", null), CLIENT)).code());
        assertEquals(ErrorCode.NOT_FOUND, rejected(store.apply(rename("nobody", "X", 4L), CLIENT)).code());
    }

    @Test
    void updateWithoutVersionRetriesOverAnOutsideChangeAndKeepsIt() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        JsonObject outside = new JsonObject();
        outside.addProperty("department", "Outside");
        fixture.standIn.updateDirectly("a", outside); // version 2, not yet polled... or polled: either way
        ChangeEvent event = applied(store.apply(rename("a", "Ada L.", null), CLIENT)).event();
        assertEquals(3, event.row().version());
        assertEquals("Outside", event.row().department(), "the outside change is not overwritten");
        assertEquals("Ada L.", fixture.standIn.row("a").get("name").getAsString());
    }

    @Test
    void deleteWithTheStoredVersionRemovesTheRowAndReportsItsLastVersion() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        ChangeEvent event = applied(store.apply(delete("a", 1L), CLIENT)).event();
        assertEquals(Kind.DELETE, event.kind());
        assertEquals(1, event.row().version());
        assertNull(fixture.standIn.row("a"));
    }

    @Test
    void deleteWithAStaleVersionIsAConflictAndTheRowStays() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("a", "Ada"), CLIENT);
        store.apply(rename("a", "B", null), CLIENT);
        MutationResult.Rejected rejected = rejected(store.apply(delete("a", 1L), CLIENT));
        assertEquals(ErrorCode.VERSION_CONFLICT, rejected.code());
        assertNotNull(fixture.standIn.row("a"));
    }

    @Test
    void deleteWithoutVersionOfAMissingRowIsNotFound() throws Exception {
        SupabaseStore store = fixture.startedStore();
        assertEquals(ErrorCode.NOT_FOUND, rejected(store.apply(delete("nobody", null), CLIENT)).code());
    }

    @Test
    void valuesTheDatabaseRefusesAreValidationFailed() throws Exception {
        SupabaseStore store = fixture.startedStore();
        String tooLong = "x".repeat(201);
        MutationResult.Rejected rejected = rejected(store.apply(create("a", tooLong), CLIENT));
        assertEquals(ErrorCode.VALIDATION_FAILED, rejected.code());
        assertTrue(rejected.message().contains("check constraint"), rejected.message());
    }

    @Test
    void aMissingTableIsStoreUnavailableAndNeverLoads() throws Exception {
        SupabaseStore store = fixture.newStore(PostgrestStandIn.LEGACY_KEY, "no_such_table");
        store.start(fixture.listener);
        long deadline = System.nanoTime() + StoreFixture.WAIT.toNanos();
        while (HealthTracker.NOT_LOADED_YET.equals(store.health().lastError()) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the first load attempt (the machine may be busy)
        }
        assertNull(fixture.listener.loaded());
        assertFalse(store.health().reachable());
        assertTrue(store.health().lastError().contains("PGRST205"), store.health().lastError());
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected(store.apply(create("a", "Ada"), CLIENT)).code());
    }

    @Test
    void revokedGrantsMakeWritesStoreUnavailableAndHealthUnreachable() throws Exception {
        SupabaseStore store = fixture.startedStore();
        fixture.standIn.revokeGrants(true);
        MutationResult.Rejected rejected = rejected(store.apply(create("a", "Ada"), CLIENT));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, rejected.code());
        assertFalse(store.health().reachable());
        assertTrue(store.health().lastError().contains("42501"));
    }

    @Test
    void concurrentWritesToDifferentRowsGetGapFreeSequenceNumbersInOrder() throws Exception {
        SupabaseStore store = fixture.startedStore();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            List<Future<MutationResult>> results = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                String id = "row-" + i;
                results.add(workers.submit(() -> {
                    store.apply(create(id, "N"), CLIENT);
                    return store.apply(rename(id, "M", 1L), CLIENT);
                }));
            }
            for (Future<MutationResult> result : results) {
                applied(result.get());
            }
        } finally {
            workers.shutdown();
        }
        List<ChangeEvent> events = fixture.listener.events();
        assertEquals(160, events.size());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).sequence());
        }
    }

    @Test
    void healthShowsReachableWithLatencyOnceLoaded() throws Exception {
        SupabaseStore store = fixture.startedStore();
        assertTrue(store.health().reachable());
        assertEquals("supabase", store.health().kind());
        assertNotNull(store.health().latencyMs());
    }
}
