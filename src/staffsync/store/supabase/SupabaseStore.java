package staffsync.store.supabase;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.StaffStore;
import staffsync.store.StoreHealth;

/**
 * Supabase as the store of record, over its PostgREST API. Every change is written to the
 * table (a compare-and-set on {@code version}) before anyone is told; changes made by anyone
 * else are found by polling and reported the same way.
 *
 * <p>Who numbers the events is the {@link RowLedger}'s business: {@link ReportedRows} when this
 * process is the only server, the Redis-backed ledger of {@code staffsync.store.cluster} when
 * several instances share the table (docs/cluster.md).
 *
 * <p>Threads:
 * <ul>
 *   <li>store workers (the hub's) call {@link #apply}: {@link MutationWriter};</li>
 *   <li>"supabase-poller" loads the table at start (retrying with backoff while Supabase is
 *       unreachable) and then polls for outside changes: {@link ChangePoller};</li>
 *   <li>"supabase-health" probes the table every {@code probeInterval} for /health and /ready;</li>
 *   <li>whatever threads the ledger runs (none for {@link ReportedRows}).</li>
 * </ul>
 * Shared state lives in the ledger (thread-safe) and {@link HealthTracker} (one monitor).
 * The two schedulers are created in the constructor and only started by {@link #start}.
 */
public final class SupabaseStore implements StaffStore {
    private static final Logger LOG = Logger.getLogger(SupabaseStore.class.getName());
    private static final Duration FIRST_LOAD_RETRY = Duration.ofMillis(500);
    private static final Duration LONGEST_LOAD_RETRY = Duration.ofSeconds(30);

    /**
     * The timings. {@code overlap} is how far behind the newest seen {@code updated_at} each
     * poll starts, to catch transactions that committed after a later-stamped one.
     */
    public record Settings(Duration timeout, Duration pollInterval, Duration probeInterval, Duration overlap) {
        /** The two timings a user sets (SUPABASE_TIMEOUT_MS, SUPABASE_POLL_MS); the others follow from them. */
        public static Settings of(Duration timeout, Duration pollInterval) {
            return new Settings(timeout, pollInterval, Duration.ofSeconds(10), defaultOverlap(pollInterval));
        }

        /** Two poll intervals, and at least 10 s: longer than any write transaction should take. */
        public static Duration defaultOverlap(Duration pollInterval) {
            Duration twoPolls = pollInterval.multipliedBy(2);
            return twoPolls.compareTo(Duration.ofSeconds(10)) > 0 ? twoPolls : Duration.ofSeconds(10);
        }
    }

    /** Makes the ledger, given a way to read the table. */
    public interface LedgerFactory {
        RowLedger create(TableSource table);
    }

    private final String tableName;
    private final Settings settings;
    private final HealthTracker health = new HealthTracker(null);
    private final RowLedger reported;
    private final SupabaseTable table;
    private final MutationWriter writer;
    private final ChangePoller poller;
    private final ScheduledExecutorService pollerThread = Executors.newSingleThreadScheduledExecutor(named("supabase-poller"));
    private final ScheduledExecutorService healthThread = Executors.newSingleThreadScheduledExecutor(named("supabase-health"));

    /** The store of a single instance: it numbers its own events. */
    public SupabaseStore(String supabaseUrl, ApiKey key, String tableName, Settings settings, RequestObserver observer) {
        this(supabaseUrl, key, tableName, settings, observer, table -> new ReportedRows());
    }

    public SupabaseStore(String supabaseUrl, ApiKey key, String tableName, Settings settings, RequestObserver observer,
                         LedgerFactory ledgers) {
        this.tableName = tableName;
        this.settings = settings;
        this.table = new SupabaseTable(new PostgrestClient(supabaseUrl, tableName, key, settings.timeout(), observer),
                health);
        this.reported = ledgers.create(new Reads(table));
        this.writer = new MutationWriter(table, reported);
        this.poller = new ChangePoller(table, reported, settings.overlap());
    }

    @Override
    public String kind() {
        String sharing = reported.sharing();
        return sharing.isEmpty() ? "supabase" : "supabase+" + sharing;
    }

    @Override
    public void start(CommitListener listener) {
        pollerThread.execute(() -> loadOrRetry(listener, FIRST_LOAD_RETRY));
        long probeMs = settings.probeInterval().toMillis();
        healthThread.scheduleWithFixedDelay(this::probe, probeMs, probeMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public MutationResult apply(Mutation mutation, Origin origin) {
        if (!reported.isLoaded()) {
            StoreHealth now = health();
            return MutationResult.unavailable(mutation.staffId(), "Supabase has not been reached yet"
                    + (now.lastError() != null ? " (" + now.lastError() + ")" : ""));
        }
        return writer.apply(mutation, origin);
    }

    @Override
    public StoreHealth health() {
        StoreHealth tableHealth = health.snapshot(kind(), reported.isLoaded());
        String ledgerProblem = reported.unavailableReason();
        return ledgerProblem == null ? tableHealth
                : new StoreHealth(kind(), false, tableHealth.latencyMs(), ledgerProblem);
    }

    @Override
    public void close() {
        pollerThread.shutdownNow();
        healthThread.shutdownNow();
        try {
            pollerThread.awaitTermination(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reported.close();
    }

    /** Poller thread: the first load; on failure it schedules itself again, waiting twice as long. */
    private void loadOrRetry(CommitListener listener, Duration retryAfter) {
        List<StaffRow> rows;
        try {
            rows = table.readAll();
        } catch (PostgrestException | IOException | RuntimeException e) {
            if (e instanceof PostgrestException p && ErrorMapping.isKeyOrGrantProblem(p)) {
                LOG.severe("Supabase refused the key or the table's grants: " + e.getMessage());
            }
            health.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            LOG.warning("could not load table '" + tableName + "' from Supabase, trying again in "
                    + retryAfter.toMillis() + " ms: " + e.getMessage());
            retryLater(listener, retryAfter);
            return;
        }
        try {
            reported.load(rows, listener);
        } catch (IOException e) {
            LOG.warning("loaded table '" + tableName + "' but could not start publishing its changes, trying again in "
                    + retryAfter.toMillis() + " ms: " + e.getMessage());
            retryLater(listener, retryAfter);
            return;
        }
        poller.startAfter(rows);
        LOG.info("loaded " + rows.size() + " rows from Supabase table '" + tableName + "'; polling every "
                + settings.pollInterval().toMillis() + " ms");
        long pollMs = settings.pollInterval().toMillis();
        pollerThread.scheduleWithFixedDelay(poller::pollSafely, pollMs, pollMs, TimeUnit.MILLISECONDS);
    }

    private void retryLater(CommitListener listener, Duration retryAfter) {
        Duration next = retryAfter.multipliedBy(2);
        pollerThread.schedule(() -> loadOrRetry(listener, next.compareTo(LONGEST_LOAD_RETRY) > 0
                ? LONGEST_LOAD_RETRY : next), retryAfter.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Health thread: one cheap request; its outcome lands in {@link HealthTracker} either way. */
    private void probe() {
        try {
            table.probe();
        } catch (PostgrestException | IOException | RuntimeException e) {
            LOG.fine("health probe failed: " + e.getMessage());
        }
    }

    /** The table's reads for the ledger; a PostgREST refusal becomes an IOException with the same (key-free) message. */
    private record Reads(SupabaseTable table) implements TableSource {
        @Override
        public List<StaffRow> readAll() throws IOException {
            try {
                return table.readAll();
            } catch (PostgrestException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public StaffRow read(String id) throws IOException {
            try {
                return table.read(id);
            } catch (PostgrestException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
