package staffsync.store.supabase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.store.MutationResult;
import staffsync.support.RecordingListener;

/**
 * A stand-in and SupabaseStores on it, with short timings so tests run fast. A JUnit extension:
 * {@code @RegisterExtension final StoreFixture fixture = new StoreFixture();} starts the stand-in
 * before each test and closes everything after it.
 */
final class StoreFixture implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMillis(800);
    static final Duration POLL = Duration.ofMillis(50);
    static final Duration PROBE = Duration.ofMillis(200);
    static final Duration OVERLAP = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofSeconds(5);
    static final Origin CLIENT = new Origin("client-1", 1L);

    /** Started before each test. */
    PostgrestStandIn standIn;
    final RecordingListener listener = new RecordingListener();
    private final List<SupabaseStore> stores = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        startStandIn();
    }

    /** For a test that must order the start itself (see KeySecrecyTest). */
    void startStandIn() throws Exception {
        standIn = PostgrestStandIn.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** A store on the stand-in with the legacy key, not started. */
    SupabaseStore newStore() {
        return newStore(PostgrestStandIn.LEGACY_KEY, "staff_members");
    }

    SupabaseStore newStore(String key, String table) {
        SupabaseStore store = new SupabaseStore(standIn.url(), ApiKey.parse(key), table,
                new SupabaseStore.Settings(TIMEOUT, POLL, PROBE, OVERLAP), RequestObserver.NONE);
        stores.add(store);
        return store;
    }

    /** A store started with {@link #listener} and loaded. */
    SupabaseStore startedStore() throws InterruptedException {
        SupabaseStore store = newStore();
        store.start(listener);
        listener.awaitLoaded(WAIT);
        return store;
    }

    /**
     * Waits until the store's poller has run {@code polls} more times, start to finish: the poller
     * runs with a fixed delay, so once the stand-in has seen {@code polls + 1} more polls begin
     * (the first page of a read of changed rows), the earlier ones have handed over what they
     * found. Instead of sleeping for "several poll intervals".
     */
    static void awaitPolls(PostgrestStandIn standIn, int polls) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos() * 3;
        long target = pollsStarted(standIn) + polls + 1;
        while (pollsStarted(standIn) < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the poller did not run " + polls + " times within " + WAIT.multipliedBy(3));
            }
            Thread.sleep(10);
        }
    }

    private static long pollsStarted(PostgrestStandIn standIn) {
        return standIn.requests().stream()
                .map(PostgrestStandIn.Request::pathAndQuery)
                .filter(query -> query.contains("order=updated_at.asc") && query.endsWith("&offset=0"))
                .count();
    }

    static CreateStaff create(String id, String name) {
        return new CreateStaff(id, new StaffFields(name, null, null, null, null, List.of("name")));
    }

    static CreateStaff create(String id, String name, long period) {
        return new CreateStaff(id, new StaffFields(name, "Nurse", "Ward 3", null, period,
                List.of("name", "position", "department", "period")));
    }

    static UpdateStaff rename(String id, String name, Long expectedVersion) {
        return new UpdateStaff(id, new StaffFields(name, null, null, null, null, List.of("name")), expectedVersion);
    }

    static UpdateStaff withPosition(String id, String position, Long expectedVersion) {
        return new UpdateStaff(id, new StaffFields(null, position, null, null, null, List.of("position")), expectedVersion);
    }

    static DeleteStaff delete(String id, Long expectedVersion) {
        return new DeleteStaff(id, expectedVersion);
    }

    static MutationResult.Applied applied(MutationResult result) {
        if (result instanceof MutationResult.Applied applied) {
            return applied;
        }
        throw new AssertionError("expected Applied, got " + result);
    }

    static MutationResult.Rejected rejected(MutationResult result) {
        if (result instanceof MutationResult.Rejected rejected) {
            return rejected;
        }
        throw new AssertionError("expected Rejected, got " + result);
    }

    @Override
    public void close() {
        for (SupabaseStore store : stores) {
            store.close();
        }
        standIn.close();
    }
}
