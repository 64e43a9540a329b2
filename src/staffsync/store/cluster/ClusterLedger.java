package staffsync.store.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.redis.Redis;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.RowTable;
import staffsync.store.StoreState;
import staffsync.store.supabase.LedgerException;
import staffsync.store.supabase.RowLedger;
import staffsync.store.supabase.TableSource;

/**
 * The ledger of an instance that shares its table with others through Redis (docs/cluster.md):
 * writes are announced as intents and published through the version gate into one stream, and
 * every instance's hub receives that stream, in order, from this instance's {@link StreamReader}.
 *
 * <p>Threads and state:
 * <ul>
 *   <li>the store workers call the write methods; each row being written here has a
 *       {@link Claim}, touched only by the worker that made it (the map itself is concurrent);</li>
 *   <li>the poller calls {@link #observe} / {@link #observeGone};</li>
 *   <li>"redis-reader" delivers events and reloads ({@link StreamReader});</li>
 *   <li>"redis-heartbeat" tells Redis every second that this instance lives, which is also how
 *       /ready learns that Redis is unreachable.</li>
 * </ul>
 * The mirror of published rows, the epoch, the position and the listener are guarded by
 * {@code lock}; the listener is called while holding it, which keeps events in order (it never
 * blocks). Redis is never called while holding {@code lock}.
 */
public final class ClusterLedger implements RowLedger {
    private static final Logger LOG = Logger.getLogger(ClusterLedger.class.getName());
    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(1);
    /** Without a heartbeat for this long an instance counts as dead: its pending writes may be taken over. */
    static final Duration ALIVE_FOR = Duration.ofSeconds(3);
    /** How long a publication may be refused (the mark moved) before giving up: a row under a storm of changes. */
    private static final int PUBLISH_ATTEMPTS = 20;

    /**
     * @param redisTimeout    one Redis call's timeout; a commit's publication is retried this long
     * @param retryTtl        how long a committed mutation's outcome is kept for retries
     * @param supabaseTimeout one Supabase request's timeout; a retry waits at most twice this for
     *                        its original, still being written by another instance
     * @param historySize     events the hub keeps for replay; the stream keeps at least as many
     */
    public record Settings(Duration redisTimeout, Duration retryTtl, Duration supabaseTimeout, int historySize) {}

    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong intentNumbers = new AtomicLong();
    private final Redis redis;
    private final SharedLog log;
    private final TableSource table;
    private final Settings settings;
    private final StreamReader reader;
    private final Thread readerThread;
    private final ScheduledExecutorService heartbeatThread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "redis-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Claim> claims = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private final RowTable rows = new RowTable();                      // guarded by lock
    private final Map<String, Long> recentlyChanged = new HashMap<>(); // guarded by lock: id -> position of its last change
    private CommitListener listener;                                   // guarded by lock
    private String epoch;                                              // guarded by lock; null until attached
    private long sequence;                                             // guarded by lock: last event delivered in this epoch
    private long position;                                             // guarded by lock: grows with every delivery and reload
    private boolean started;                                           // guarded by lock

    private volatile boolean closed;
    private volatile String heartbeatProblem;
    private volatile String readingProblem;

    /** A write in progress on this instance: touched only by the store worker that began it. */
    private static final class Claim {
        final Thread owner = Thread.currentThread();
        Intent intent;
        RowView view;
        /** Its commit is published (by it or a helper): nothing to take back. */
        boolean settled;
        /** Its commit may be in the table unpublished: leave the intent for whoever finds it. */
        boolean keepIntent;

        Claim(Intent intent, RowView view) {
            this.intent = intent;
            this.view = view;
        }
    }

    public ClusterLedger(Redis redis, String tableName, TableSource table, Settings settings) {
        this.redis = redis;
        this.table = table;
        this.settings = settings;
        this.log = new SharedLog(redis, tableName, Math.max(settings.historySize(), 1000), settings.retryTtl());
        this.reader = new StreamReader(log, new ReaderSide());
        this.readerThread = new Thread(reader, "redis-reader");
        this.readerThread.setDaemon(true);
    }

    @Override
    public String sharing() {
        return "redis";
    }

    // ---- start ----

    @Override
    public void load(List<StaffRow> tableRows, CommitListener commitListener) throws IOException {
        synchronized (lock) {
            listener = commitListener;
        }
        heartbeat();
        attach(tableRows);
        catchUp(tableRows);
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
        }
        readerThread.start();
        long everyMs = HEARTBEAT_EVERY.toMillis();
        heartbeatThread.scheduleWithFixedDelay(this::heartbeatSafely, everyMs, everyMs, TimeUnit.MILLISECONDS);
        LOG.info("sharing the table through Redis at " + redis.url() + " as instance " + instance);
    }

    /**
     * Takes Redis's current state as this instance's, or, when Redis has none (first start,
     * or it lost its data), starts a new epoch from the table first.
     *
     * @param tableRows the table as just read, or null to read it now if a new epoch is needed
     */
    private void attach(List<StaffRow> tableRows) throws IOException {
        SharedLog.Snapshot snapshot = log.snapshot();
        if (snapshot == null) {
            List<StaffRow> fromTable = tableRows != null ? tableRows : table.readAll();
            String made = log.bootstrap(instance, UUID.randomUUID().toString(), fromTable);
            LOG.info("Redis had no shared state: epoch " + made + " holds the table's " + fromTable.size() + " rows");
            snapshot = log.snapshot();
            if (snapshot == null) {
                throw new IOException("Redis lost the new epoch at once");
            }
        }
        synchronized (lock) {
            epoch = snapshot.epoch();
            sequence = snapshot.sequence();
            rows.load(snapshot.rows());
            // A poll that began before this reload may have read the table before any of these
            // rows' changes: every row counts as changed now.
            position++;
            recentlyChanged.clear();
            for (StaffRow row : snapshot.rows()) {
                recentlyChanged.put(row.id(), position);
            }
            listener.loaded(new StoreState(epoch, sequence, rows.rows(), snapshot.recentEvents()));
            lock.notifyAll();
        }
    }

    /**
     * At start, publishes what the table holds beyond the shared state (commits whose instance
     * died before publishing them, long ago, with nobody running to notice). Deletions are left
     * to the poller's deletion check, which guards against an id list older than the state.
     */
    private void catchUp(List<StaffRow> tableRows) {
        for (StaffRow row : tableRows) {
            if (newerThanMirror(row)) {
                try {
                    help(row.id(), new Observed.Present(row), null);
                } catch (LedgerException e) {
                    LOG.warning("could not publish '" + row.id() + "' found in the table at start (the poller will"
                            + " try again): " + e.getMessage());
                }
            }
        }
    }

    @Override
    public boolean isLoaded() {
        synchronized (lock) {
            return epoch != null;
        }
    }

    @Override
    public String unavailableReason() {
        String problem = heartbeatProblem;
        return problem != null ? problem : readingProblem;
    }

    // ---- what has been reported ----

    @Override
    public StaffRow get(String id) {
        Claim claim = claims.get(id);
        if (claim != null && claim.owner == Thread.currentThread()) {
            return claim.view.published();
        }
        synchronized (lock) {
            return rows.get(id);
        }
    }

    @Override
    public List<StaffRow> all() {
        synchronized (lock) {
            return rows.rows();
        }
    }

    /** Not the event sequence: a position that grows with every delivery and every reload (see RowLedger). */
    @Override
    public long sequence() {
        synchronized (lock) {
            return position;
        }
    }

    // ---- one write ----

    @Override
    public MutationResult beginWrite(Mutation mutation, Origin origin) throws LedgerException {
        String id = mutation.staffId();
        if (claims.containsKey(id)) {
            throw new IllegalStateException("two writes of '" + id + "' at once in one process: the hub's store lanes"
                    + " give each row one worker");
        }
        String currentEpoch = currentEpoch();
        Intent intent = Intent.forMutation(instance + "/" + intentNumbers.incrementAndGet(), instance, mutation, origin);
        String takeover = null;
        String deadIntent = null;
        long deadline = System.nanoTime() + settings.supabaseTimeout().multipliedBy(2).toNanos();
        long pauseMs = 10;
        while (true) {
            SharedLog.Intended intended;
            try {
                intended = log.intend(currentEpoch, id, intent, takeover, deadIntent);
            } catch (IOException e) {
                throw unreachable(e);
            }
            if (intended instanceof SharedLog.Intended.Ready ready) {
                claims.put(id, new Claim(ready.intent(), ready.view()));
                return null;
            }
            if (intended instanceof SharedLog.Intended.Done done) {
                if (!sameMessage(done.event().origin().fingerprint(), origin.fingerprint())) {
                    return sequenceReused(origin);
                }
                awaitDelivered(done.sequence());
                return new MutationResult.Repeated(done.event());
            }
            if (intended instanceof SharedLog.Intended.EpochChanged) {
                throw new LedgerException("Redis's shared numbering was reset; this instance is reloading it");
            }
            SharedLog.Intended.Pending pending = (SharedLog.Intended.Pending) intended;
            if (!sameMessage(pending.fingerprint(), origin.fingerprint())) {
                return sequenceReused(origin);
            }
            if (!isAlive(pending.instance())) {
                // Its writer died: publish what it may have committed (for its client), then take over.
                LOG.info("taking over the resent change of " + origin.clientId() + " from a dead instance");
                helpFromTable(pending.rowId());
                takeover = pending.value();
                deadIntent = pending.intentId();
                continue;
            }
            if (System.nanoTime() > deadline) {
                return MutationResult.unavailable(id, "the original of this resent change is still being written by"
                        + " another instance; resend it later to get its outcome");
            }
            pause(pauseMs);
            pauseMs = Math.min(pauseMs * 2, 200);
        }
    }

    @Override
    public MutationResult writeMissed(String id) throws LedgerException {
        return replaceIntent(id, ownClaim(id).intent.withdrawn());
    }

    /**
     * The intent must name the version and incarnation the write really goes on top of, or a
     * helper could not match the result to it. Redis filled them in from the published row;
     * only when the writer chose otherwise (the row was not published yet, the client named a
     * newer version, a retry after a miss) does this cost a round trip.
     */
    @Override
    public MutationResult writeAt(StaffRow base, long version) throws LedgerException {
        Intent intent = ownClaim(base.id()).intent;
        if (intent.base() != null && intent.base() == version && base.createdAt().equals(intent.incarnation())) {
            return null;
        }
        return replaceIntent(base.id(), intent.onTopOf(version, base.createdAt()));
    }

    /** As the hub's retry table judges it: an unknown fingerprint on either side accepts the resend. */
    private static boolean sameMessage(String remembered, String fingerprint) {
        return remembered == null || fingerprint == null || remembered.equals(fingerprint);
    }

    /** The same refusal the hub gives when its own table knows the key (Hub.refuseReusedSequence). */
    private static MutationResult sequenceReused(Origin origin) {
        return new MutationResult.Rejected(ErrorCode.SEQUENCE_REUSED, "sequenceNumber " + origin.clientSequence()
                + " was already used by clientId '" + origin.clientId() + "' for a different message; nothing was"
                + " applied (number each new change higher)", null, null);
    }

    /** Swaps the claim's intent in Redis, unless a helper already published a write for it. */
    private MutationResult replaceIntent(String id, Intent replacement) throws LedgerException {
        Claim claim = ownClaim(id);
        RowView.Done done;
        try {
            done = log.withdraw(id, claim.intent, replacement);
        } catch (IOException e) {
            throw unreachable(e);
        }
        if (done != null) {
            // A helper matched a change in the table to this write: that event is its outcome.
            claim.settled = true;
            awaitDelivered(done.sequence());
            return new MutationResult.Applied(done.event());
        }
        claim.intent = replacement;
        return null;
    }

    @Override
    public MutationResult reportOwn(Kind kind, StaffRow row, List<String> changedFields, Origin origin) {
        Claim claim = ownClaim(row.id());
        Observed observed = kind == Kind.DELETE ? new Observed.Gone(row.id(), row.createdAt()) : new Observed.Present(row);
        long deadline = System.nanoTime() + settings.redisTimeout().toNanos();
        String lastFailure = null;
        for (int attempt = 0; attempt < PUBLISH_ATTEMPTS; ) {
            try {
                Plan plan = Gate.forOwn(claim.view, observed, claim.intent, changedFields);
                if (plan == null) {
                    return alreadyPublished(claim, row, kind);
                }
                if (!plan.own()) {
                    // Our row is a new incarnation and the old one's delete is not published yet:
                    // that is another write's outcome, published for it first (as any helper would).
                    help(row.id(), new Observed.Gone(row.id(), plan.tomb()), claim);
                    continue;
                }
                SharedLog.Published published = log.publish(epochOrEmpty(), row.id(), claim.view, plan);
                switch (published.outcome()) {
                    case PUBLISHED -> {
                        claim.settled = true;
                        awaitDelivered(published.sequence());
                        ChangeEvent mine = plan.event();
                        return new MutationResult.Applied(new ChangeEvent(published.sequence(), mine.kind(), mine.row(),
                                mine.changedFields(), mine.timestamp(), mine.origin()));
                    }
                    case MOVED -> {
                        attempt++;
                        claim.view = readView(row.id());
                        RowView.Done done = claim.view.done().get(claim.intent.id());
                        if (done != null) {
                            return publishedByHelper(claim, row.id(), done);
                        }
                    }
                    default -> {
                        claim.keepIntent = true;
                        return storedNotPublished(row.id(), "Redis's shared numbering was reset before it was"
                                + " published; it reaches every client with the new numbering's snapshot");
                    }
                }
            } catch (IOException | LedgerException e) {
                lastFailure = e.getMessage();
                if (System.nanoTime() > deadline) {
                    break;
                }
                pause(50);
                try {
                    claim.view = readView(row.id()); // the publication may have gone through before the failure
                } catch (IOException | LedgerException again) {
                    lastFailure = again.getMessage();
                }
            }
        }
        claim.keepIntent = true;
        LOG.warning("the change to '" + row.id() + "' is stored in Supabase but not yet published: " + lastFailure);
        return storedNotPublished(row.id(), "it could not be published yet (" + (lastFailure != null ? lastFailure
                : "the row kept changing") + "); it reaches every client as soon as Redis is reachable");
    }

    /** The gate says our commit is not news: someone published it for us, or something newer overtook it. */
    private MutationResult alreadyPublished(Claim claim, StaffRow row, Kind kind) {
        RowView.Done done = claim.view.done().get(claim.intent.id());
        if (done != null) {
            return publishedByHelper(claim, row.id(), done);
        }
        claim.settled = true;
        withdrawQuietly(row.id(), claim.intent);
        long sequence = claim.view.mark().isEmpty() ? 0 : Long.parseLong(claim.view.mark());
        StaffRow published = claim.view.published();
        boolean sameState = published != null && published.version() == row.version()
                && published.updatedAt().equals(row.updatedAt());
        LOG.warning("the change to '" + row.id() + "' (version " + row.version() + ") was published "
                + (sameState ? "before a lost reply, or by an instance that could not tell whose it was"
                        : "as part of a newer state") + ", perhaps without this client's inReplyTo (docs/cluster.md, Limits)");
        awaitDelivered(sequence);
        // Applied: the change is in the table and published. The hub only settles the request on
        // Applied (the broadcast is the answer), so this event stands for the one at the row's mark.
        return new MutationResult.Applied(new ChangeEvent(sequence, kind, row, List.of(), row.updatedAt(), Origin.SERVER));
    }

    private MutationResult publishedByHelper(Claim claim, String id, RowView.Done done) {
        claim.settled = true;
        withdrawQuietly(id, claim.intent); // removes the "done" entry
        awaitDelivered(done.sequence());
        return new MutationResult.Applied(done.event());
    }

    private static MutationResult storedNotPublished(String id, String why) {
        // Not STORE_UNAVAILABLE, which promises "not applied": this change is in the table.
        return new MutationResult.Rejected(ErrorCode.INTERNAL, "the change is stored, but " + why, id, null);
    }

    @Override
    public void outcomeUnknown(String id) {
        Claim claim = claims.get(id);
        if (claim != null) {
            claim.keepIntent = true;
        }
    }

    @Override
    public MutationResult endWrite(String id, MutationResult outcome) {
        Claim claim = claims.remove(id);
        if (claim == null || claim.settled || claim.keepIntent) {
            return outcome;
        }
        // Not applied: take the intent back, unless a helper published a write for it meanwhile.
        try {
            RowView.Done done = log.withdraw(id, claim.intent, null);
            if (done != null) {
                awaitDelivered(done.sequence());
                return new MutationResult.Applied(done.event());
            }
        } catch (IOException e) {
            LOG.fine("could not take back the intent on '" + id + "' (it expires by itself): " + e.getMessage());
        }
        return outcome;
    }

    // ---- rows read from the table ----

    @Override
    public boolean observe(StaffRow row) throws LedgerException {
        Claim claim = claims.get(row.id());
        if (claim != null && claim.owner != Thread.currentThread()) {
            return false; // a store worker here is writing it and will publish it
        }
        if (claim == null && !newerThanMirror(row)) {
            return true; // already published: no need to ask Redis
        }
        return help(row.id(), new Observed.Present(row), claim);
    }

    @Override
    public boolean observeGone(String id) throws LedgerException {
        Claim claim = claims.get(id);
        if (claim != null && claim.owner != Thread.currentThread()) {
            return false;
        }
        StaffRow known = claim != null ? claim.view.published() : mirrored(id);
        return known == null || help(id, new Observed.Gone(id, known.createdAt()), claim);
    }

    /** A dead instance's row: publish whatever the table holds for it. */
    private void helpFromTable(String id) throws LedgerException {
        StaffRow current;
        try {
            current = table.read(id);
        } catch (IOException e) {
            throw new LedgerException("Supabase did not answer (" + e.getMessage() + ")");
        }
        help(id, current != null ? new Observed.Present(current) : new Observed.Gone(id, null), null);
    }

    /**
     * Publishes a state found in the table if it is news, for the one announced write it matches
     * (never the caller's own). Retries while others publish in between.
     */
    private boolean help(String id, Observed observed, Claim claim) throws LedgerException {
        long deadline = System.nanoTime() + settings.supabaseTimeout().multipliedBy(2).toNanos();
        try {
            RowView view = readView(id);
            for (int attempt = 0; attempt < PUBLISH_ATTEMPTS; ) {
                Plan plan = Gate.forHelp(view, observed, claim == null ? null : claim.intent.id());
                if (plan == null) {
                    if (claim != null) {
                        claim.view = view;
                    }
                    return true;
                }
                if (!plan.contenders().isEmpty() && anyAlive(plan.contenders())) {
                    // Several live writers could have made this state (two deletes of one row, say);
                    // the one whose write landed publishes it for its client. The poller looks again
                    // later; a writer that must write on top of it waits for that.
                    if (claim == null) {
                        return false;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new LedgerException("the row '" + id + "' has a change another instance is still publishing");
                    }
                    pause(20);
                    view = readView(id);
                    continue;
                }
                attempt++;
                SharedLog.Published published = log.publish(epochOrEmpty(), id, view, plan);
                switch (published.outcome()) {
                    case PUBLISHED -> view = view.after(plan, published.sequence()); // maybe a step: ask again
                    case MOVED -> view = readView(id);
                    default -> throw epochChanged();
                }
            }
        } catch (IOException e) {
            throw unreachable(e);
        }
        throw new LedgerException("the row '" + id + "' kept changing while its state was being published");
    }

    private boolean anyAlive(List<Intent> intents) throws LedgerException {
        for (Intent intent : intents) {
            if (isAlive(intent.instance())) {
                return true;
            }
        }
        return false;
    }

    private RowView readView(String id) throws IOException, LedgerException {
        RowView view = log.read(epochOrEmpty(), id);
        if (view == null) {
            throw epochChanged();
        }
        return view;
    }

    @Override
    public boolean changedSince(String id, long pollStartPosition) {
        if (claims.containsKey(id)) {
            return true;
        }
        synchronized (lock) {
            Long last = recentlyChanged.get(id);
            return last != null && last > pollStartPosition;
        }
    }

    @Override
    public void forgetChangesUpTo(long pollStartPosition) {
        synchronized (lock) {
            recentlyChanged.values().removeIf(last -> last <= pollStartPosition);
        }
    }

    // ---- delivery (reader thread) ----

    /** The reader's view of this ledger. */
    private final class ReaderSide implements StreamReader.Deliveries {
        @Override
        public long lastSequence() {
            synchronized (lock) {
                return sequence;
            }
        }

        @Override
        public String epoch() {
            synchronized (lock) {
                return epoch;
            }
        }

        @Override
        public boolean deliver(ChangeEvent event) {
            synchronized (lock) {
                if (event.sequence() <= sequence) {
                    return true; // delivered already, with the snapshot of a reload
                }
                if (event.sequence() != sequence + 1) {
                    return false;
                }
                rows.commit(event);
                sequence = event.sequence();
                position++;
                recentlyChanged.put(event.row().id(), position);
                listener.committed(event);
                lock.notifyAll();
                return true;
            }
        }

        @Override
        public void reload() throws IOException {
            attach(null);
        }

        @Override
        public void readingProblem(String problem) {
            if (problem != null && readingProblem == null) {
                LOG.warning(problem);
            } else if (problem == null && readingProblem != null) {
                LOG.info("reading the shared stream works again");
            }
            readingProblem = problem;
        }

        @Override
        public boolean closed() {
            return closed;
        }
    }

    /**
     * Waits until the reader has handed event {@code target} to the listener, so that an
     * outcome never reaches a client before the events it follows. Gives up after a while (the
     * event still arrives later) or when the epoch changes.
     */
    private void awaitDelivered(long target) {
        long deadline = System.nanoTime() + settings.redisTimeout().multipliedBy(2).plusSeconds(1).toNanos();
        synchronized (lock) {
            String waitingIn = epoch;
            while (sequence < target && waitingIn != null && waitingIn.equals(epoch) && !closed) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    LOG.fine("event " + target + " not yet delivered; answering anyway");
                    return;
                }
                try {
                    lock.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- heartbeat ----

    private void heartbeatSafely() {
        try {
            heartbeat();
        } catch (IOException e) {
            // recorded by heartbeat()
        }
    }

    private void heartbeat() throws IOException {
        try {
            log.heartbeat(instance, ALIVE_FOR);
            if (heartbeatProblem != null) {
                LOG.info("Redis is reachable again");
            }
            heartbeatProblem = null;
        } catch (IOException | RuntimeException e) {
            if (heartbeatProblem == null) {
                LOG.warning("Redis is unreachable: " + e.getMessage());
            }
            heartbeatProblem = "Redis is unreachable: " + e.getMessage();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private boolean isAlive(String otherInstance) throws LedgerException {
        try {
            return log.isAlive(otherInstance);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    // ---- helpers ----

    private Claim ownClaim(String id) {
        Claim claim = claims.get(id);
        if (claim == null || claim.owner != Thread.currentThread()) {
            throw new IllegalStateException("no write of '" + id + "' begun on this thread");
        }
        return claim;
    }

    private boolean newerThanMirror(StaffRow row) {
        synchronized (lock) {
            StaffRow known = rows.get(row.id());
            return known == null || !known.createdAt().equals(row.createdAt()) || row.version() > known.version();
        }
    }

    private StaffRow mirrored(String id) {
        synchronized (lock) {
            return rows.get(id);
        }
    }

    private String currentEpoch() throws LedgerException {
        synchronized (lock) {
            if (epoch == null) {
                throw new LedgerException("the shared state has not been loaded from Redis yet");
            }
            return epoch;
        }
    }

    private String epochOrEmpty() {
        synchronized (lock) {
            return epoch == null ? "" : epoch;
        }
    }

    private void withdrawQuietly(String id, Intent intent) {
        try {
            log.withdraw(id, intent, null);
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not remove a settled intent (it expires by itself)", e);
        }
    }

    private static LedgerException unreachable(IOException e) {
        return new LedgerException("Redis is unreachable (" + e.getMessage() + ")");
    }

    private static LedgerException epochChanged() {
        return new LedgerException("Redis's shared numbering was reset; this instance is reloading it");
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        heartbeatThread.shutdownNow();
        reader.stop();
        try {
            readerThread.join(StreamReader.BLOCK_MS + settings.redisTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            log.goodbye(instance);
        } catch (IOException e) {
            LOG.fine("could not say goodbye to Redis: " + e.getMessage());
        }
        redis.close();
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** For logs: what this instance has delivered. */
    @Override
    public String toString() {
        synchronized (lock) {
            return "ClusterLedger[" + instance + ", epoch " + epoch + ", sequence " + sequence + ", "
                    + claims.size() + " writes]";
        }
    }
}
