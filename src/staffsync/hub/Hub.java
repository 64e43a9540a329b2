package staffsync.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.hub.HubEvent.AllPeriodsRequested;
import staffsync.hub.HubEvent.Authenticated;
import staffsync.hub.HubEvent.Committed;
import staffsync.hub.HubEvent.Loaded;
import staffsync.hub.HubEvent.MutationDone;
import staffsync.hub.HubEvent.MutationRequested;
import staffsync.hub.HubEvent.Register;
import staffsync.hub.HubEvent.RegisterAwaitingAuth;
import staffsync.hub.HubEvent.ReplyWritten;
import staffsync.hub.HubEvent.Shutdown;
import staffsync.hub.HubEvent.SyncRequested;
import staffsync.hub.HubEvent.Unregister;
import staffsync.metrics.Metrics;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.SyncRequest;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.MessageType;
import staffsync.protocol.Origin;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.StaffRow;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.StaffStore;
import staffsync.store.StoreState;

/**
 * The hub: the Java twin of the Go server's hub goroutine.
 *
 * <p>One thread runs {@link #run()}, taking {@link HubEvent}s from one queue, and it alone owns
 * everything below marked "hub thread": the set of clients, the event sequence, the mirror of
 * rows used for snapshots, the replay history and the retry table. Nothing here is locked,
 * because nothing here is shared: other threads talk to the hub only by queueing events, the way
 * Go code talks to a goroutine only through channels.
 *
 * <p>Store calls never run on this thread (they may take seconds against a remote database):
 * they go to {@link StoreLanes}, and each change's outcome comes back as one event; the store's
 * own reports (a commit, a load) come back through {@link StoreToHub}. So every method here
 * but the few marked "the way in" runs on the hub thread. Read top to bottom: the way in, the
 * loop ({@link #run}), the {@code select} ({@code handle}), one method per case, then what
 * happens when one fails.
 *
 * <p>Replies of any size: a snapshot or replay larger than a few dozen rows is not built here
 * but handed to the connection as a {@link Reply} over an immutable version of the rows
 * ({@link SortedRows}), which the connection's writer encodes a chunk at a time, from bytes
 * shared by every requester ({@link EncodedRows}), as the client reads. {@link ReplyTurns}
 * bounds how many are written at once; the rest wait their turn.
 */
public final class Hub implements Runnable, ReplyTurns.Answers {
    private static final Logger LOG = Logger.getLogger(Hub.class.getName());

    private final BlockingQueue<HubEvent> events = new LinkedBlockingQueue<>();
    private final StaffStore store;
    private final StoreLanes lanes;
    private final FrameEncoder encoder;
    private final Metrics metrics;
    private final String serverVersion;

    /** Bounds one turn, so the first event of a burst waits for at most this many others. */
    private static final int MAX_EVENTS_PER_TURN = 256;
    /** A snapshot of at most this many rows is built at once and sent like any message. */
    static final int SMALL_REPLY_ROWS = 64;
    /** Likewise a replay of at most this many bytes. */
    static final int SMALL_REPLY_BYTES = 64 * 1024;
    /** A replay larger than this and than a snapshot of every row is answered with the snapshot. */
    static final int REPLAY_OR_SNAPSHOT_BYTES = 1024 * 1024;

    // ---- hub thread only ----
    private final Outbox outbox = new Outbox();
    private final Map<String, Client> clients = new LinkedHashMap<>();
    /** Connected, acknowledged, not yet authenticated: they receive no events (AUTH_MODE=jwt). */
    private final Map<String, Client> awaitingAuth = new LinkedHashMap<>();
    /** The current rows by id, for finding a row's previous state. */
    private final Map<String, StaffRow> rowIndex = new HashMap<>();
    /**
     * The current version of every row, in the two orders snapshots list them in: by id (every
     * row) and by period (one period, every period grouped). Replies keep the versions they were
     * asked at.
     */
    private SortedRows rowsById = SortedRows.empty(SortedRows.BY_ID);
    private SortedRows rowsByPeriod = SortedRows.empty(SortedRows.BY_PERIOD);
    /** About how many bytes a snapshot of every row would be (to tell when a replay is larger). */
    private long snapshotBytes;
    private final ReplyTurns turns;
    /**
     * The newest convoy of each kind of snapshot ("all", "by period", "period 3"), for the next
     * reply to join (the map is the hub's; each convoy is shared with the writers, see Convoy).
     */
    private final Map<String, Convoy> convoys = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Convoy> eldest) {
            return size() > 64; // one per kind asked for lately is all that is of use
        }
    };
    private final EventHistory history;
    private final RetryTable retries;
    private final WriteLimits limits;
    private String epoch = UUID.randomUUID().toString();
    private long sequence;
    private boolean loaded;

    /** Shared by the hub and every connection's writer; thread-safe. */
    private final EncodedRows encodedRows;

    /** Written by the hub thread, read by any thread. */
    private volatile HubStatus status;

    // ---- the heartbeat, read by /ready (see stalledMillis) ----
    /** When the hub last started an event or a flush, or went to wait for events. Written by the hub thread. */
    private volatile long lastProgressNanos = System.nanoTime();
    /** True while the hub is not working on events (waiting for one, or not started). Written by the hub thread. */
    private volatile boolean idle = true;
    /** When the queue last went from empty to not empty. Written by submitting threads. */
    private volatile long waitingSinceNanos = System.nanoTime();

    public Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
               Metrics metrics, String serverVersion) {
        this(store, storeThreads, historySize, retryTableSize, encoder, metrics, serverVersion, WriteLimits.none(),
                ReplyLimits.DEFAULT);
    }

    /** With the server-wide limits on changes: MAX_ROWS and MAX_WRITES_PER_SECOND. */
    public Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
               Metrics metrics, String serverVersion, int maxRows, double maxWritesPerSecond) {
        this(store, storeThreads, historySize, retryTableSize, encoder, metrics, serverVersion,
                new WriteLimits(maxRows, maxWritesPerSecond), ReplyLimits.DEFAULT);
    }

    /** With the limits on changes and on large replies (REPLY_MEMORY_BYTES). */
    public Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
               Metrics metrics, String serverVersion, int maxRows, double maxWritesPerSecond, ReplyLimits replyLimits) {
        this(store, storeThreads, historySize, retryTableSize, encoder, metrics, serverVersion,
                new WriteLimits(maxRows, maxWritesPerSecond), replyLimits);
    }

    private Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
                Metrics metrics, String serverVersion, WriteLimits limits, ReplyLimits replyLimits) {
        this.limits = limits;
        this.store = store;
        this.lanes = new StoreLanes(storeThreads, store, this::submit);
        this.encoder = encoder;
        this.metrics = metrics;
        this.serverVersion = serverVersion;
        this.history = new EventHistory(historySize);
        this.retries = new RetryTable(retryTableSize);
        this.encodedRows = new EncodedRows(replyLimits.chunkCacheBytes(), metrics);
        this.turns = new ReplyTurns(replyLimits.repliesAtOnce(), replyLimits.waitingPerConnection(), this);
        this.status = new HubStatus(false, false, 0, epoch, 0, 0);
    }

    // ---- the way in, for every other thread ----

    /** Queues an event for the hub; never blocks. */
    public void submit(HubEvent event) {
        if (events.isEmpty()) {
            waitingSinceNanos = System.nanoTime();
        }
        events.add(event);
    }

    /** What the store reports to: its callbacks become hub events ({@code store.start(hub.storeListener())}). */
    public CommitListener storeListener() {
        return new StoreToHub(this::submit);
    }

    public HubStatus status() {
        return status;
    }

    /**
     * How long the hub has had work and made no progress with it, in milliseconds: 0 while it is
     * keeping up or has nothing to do. Working, it is judged by when it last started an event (one
     * event that takes seconds is a stall); waiting, by how long an event has waited unseen (a hub
     * thread that is blocked or stopped). Any thread may ask; {@code /ready} does.
     */
    public long stalledMillis() {
        long now = System.nanoTime();
        long since;
        if (idle) {
            if (events.isEmpty()) {
                return 0;
            }
            long progress = lastProgressNanos;
            long waiting = waitingSinceNanos;
            since = waiting - progress > 0 ? waiting : progress;
        } else {
            since = lastProgressNanos;
        }
        return Math.max(0, (now - since) / 1_000_000);
    }

    /** Stops taking store work, lets it finish, then stops the hub after what is queued. */
    public void shutdown(long timeoutMs) throws InterruptedException {
        lanes.shutdown(timeoutMs);
        CountDownLatch done = new CountDownLatch(1);
        submit(new Shutdown(done));
        done.await(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
    }

    // ---- the hub thread ----

    @Override
    public void run() {
        publishStatus(true);
        List<HubEvent> turn = new ArrayList<>(MAX_EVENTS_PER_TURN);
        while (true) {
            try {
                lastProgressNanos = System.nanoTime();
                idle = true;
                turn.add(events.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            lastProgressNanos = System.nanoTime(); // before idle turns false: a reader seeing false sees this too
            idle = false;
            // Take whatever else is already waiting: its frames leave together (see Outbox).
            events.drainTo(turn, MAX_EVENTS_PER_TURN - 1);
            for (HubEvent event : turn) {
                lastProgressNanos = System.nanoTime();
                if (event instanceof Shutdown shutdown) {
                    endTurn();
                    publishStatus(false);
                    shutdown.done().countDown();
                    return;
                }
                try {
                    handle(event);
                } catch (Throwable failure) {
                    // A bug in one event must not stop every client's updates.
                    failed(event, failure);
                }
            }
            turn.clear();
            lastProgressNanos = System.nanoTime();
            endTurn();
            publishStatus(true);
        }
        publishStatus(false);
    }

    /**
     * The send, once per turn: every client is handed what the turn's events staged for it (see
     * Outbox). A client whose send throws is closed ({@link #sendFailed}); anything else that
     * throws here fails this turn's sending alone, like a failed event, and the hub goes on.
     */
    private void endTurn() {
        try {
            outbox.endTurn(this::sendFailed);
        } catch (Throwable failure) {
            if (failure instanceof OutOfMemoryError outOfMemory) {
                throw outOfMemory;
            }
            LOG.log(Level.SEVERE, "hub failed to send a turn's messages; the hub goes on", failure);
            metrics.hubEventFailed();
        }
    }

    /** The {@code select}: one case per kind of event. */
    private void handle(HubEvent event) {
        if (event instanceof Register register) {
            onRegister(register.client(), clients);
        } else if (event instanceof RegisterAwaitingAuth register) {
            onRegister(register.client(), awaitingAuth);
        } else if (event instanceof Authenticated authenticated) {
            onAuthenticated(authenticated);
        } else if (event instanceof Unregister unregister) {
            clients.remove(unregister.client().connectionId());
            awaitingAuth.remove(unregister.client().connectionId());
            turns.forget(unregister.client());
        } else if (event instanceof ReplyWritten written) {
            turns.written(written.client(), written.reply());
        } else if (event instanceof MutationRequested request) {
            onMutationRequested(request);
        } else if (event instanceof MutationDone done) {
            onMutationDone(done.request(), done.result());
        } else if (event instanceof Committed committed) {
            onCommitted(committed.event());
        } else if (event instanceof Loaded loadedEvent) {
            onLoaded(loadedEvent.state());
        } else if (event instanceof SyncRequested sync) {
            onSyncAsked(new SyncAsk(sync.client(), sync.request(), sync.inReplyTo()));
        } else if (event instanceof AllPeriodsRequested all) {
            onSyncAsked(new SyncAsk(all.client(), null, all.inReplyTo()));
        } else {
            // HubEvent is sealed and Java 17 has no exhaustive switch over it: a kind of event
            // added without a case here fails loudly (as a failed event) instead of being ignored.
            // Shutdown never gets here: run() stops on it.
            throw new IllegalStateException("the hub has no case for " + event.getClass().getName());
        }
    }

    private void onRegister(Client client, Map<String, Client> into) {
        if (client.isClosed()) {
            return; // it closed before the hub heard of it: its Unregister has already passed
        }
        into.put(client.connectionId(), client);
        send(client, MessageType.CONNECTION_ACK,
                ServerMessages.connectionAck(client.connectionId(), epoch, sequence, serverVersion));
    }

    /** AUTH_OK marks the point from which the client receives events: its sequenceNumber is the last one before. */
    private void onAuthenticated(Authenticated event) {
        Client client = event.client();
        Client waiting = awaitingAuth.remove(client.connectionId());
        if (waiting != null) {
            clients.put(client.connectionId(), waiting);
        } else if (!clients.containsKey(client.connectionId())) {
            return; // closed meanwhile
        }
        send(client, MessageType.AUTH_OK,
                ServerMessages.authOk(event.role(), event.subject(), event.expiresAt(), sequence, event.inReplyTo()));
    }

    private void onMutationRequested(MutationRequested request) {
        Client client = request.client();
        Origin origin = request.origin();
        if (origin.clientSequence() != null) {
            RetryTable.Key key = RetryTable.Key.of(origin);
            RetryTable.Entry known = retries.lookup(key);
            if (known != null && !RetryTable.isSameMessage(known, origin.fingerprint())) {
                refuseReusedSequence(client, origin);
                return;
            }
            if (known instanceof RetryTable.Committed original) {
                // A retry of a committed change: the original event again, byte for byte. Counted
                // first: settling is the last step, so a failure before it settles once (answerFailed).
                metrics.retryAnswered();
                settle(client, original.frame());
                return;
            }
            if (known instanceof RetryTable.Pending pending) {
                pending.waiting().add(client); // settled with the original (onCommitted, or refuse)
                metrics.retryAnswered();
                return;
            }
        }
        MutationResult.Rejected overLimit = limits.admit(request.mutation(), rowIndex.size());
        if (overLimit != null) {
            refuse(client, origin, overLimit);
            return;
        }
        if (origin.clientSequence() != null) {
            retries.markPending(RetryTable.Key.of(origin), origin.fingerprint());
        }
        if (!lanes.apply(request)) {
            onMutationDone(request, MutationResult.unavailable(request.mutation().staffId(), "the server is shutting down"));
        }
    }

    /**
     * The key of a remembered outcome, with another message: answering with that outcome would
     * hand this client someone else's event and silently drop its own change.
     */
    private void refuseReusedSequence(Client client, Origin origin) {
        send(client, MessageType.ERROR, ServerMessages.error(ErrorCode.SEQUENCE_REUSED, "sequenceNumber "
                + origin.clientSequence() + " was already used by clientId '" + origin.clientId()
                + "' for a different message; nothing was applied (number each new change higher)",
                null, null, sequence, origin.clientSequence()));
        metrics.error(ErrorCode.SEQUENCE_REUSED);
        settle(client, null);
    }

    /**
     * The store's outcome for a change. Applied: its {@code Committed} came first and its
     * broadcast was the answer. Refused: the ERROR. Repeated: the original event again.
     *
     * <p>The requester's place is given back in a {@code finally}: should building its answer
     * fail, the failure gets it an INTERNAL error ({@link #answerFailed}), but a place kept by it
     * would never come back, and a connection losing one now and then would slowly lose its
     * ability to write (MAX_PENDING_PER_CONNECTION).
     */
    private void onMutationDone(MutationRequested request, MutationResult result) {
        Frame answer = null;
        try {
            if (result instanceof MutationResult.Rejected rejected) {
                if (request.mutation() instanceof CreateStaff) {
                    limits.settled(request.mutation().staffId());
                }
                answer = refusal(request.origin(), rejected);
            } else if (result instanceof MutationResult.Repeated repeated) {
                answer = originalAgain(request.origin(), repeated.original());
            } else if (!(result instanceof MutationResult.Applied)) {
                throw new IllegalStateException("the hub has no case for " + result.getClass().getName());
            }
        } finally {
            settle(request.client(), answer);
        }
    }

    /**
     * The one place a change ends for its client, on the hub thread: its answer (if the
     * broadcast was not the answer) is staged, and the client may have one more change under way
     * (MAX_PENDING_PER_CONNECTION). Every change a client hands over ends here exactly once, a
     * retry that waited for its original included; the place comes back even if staging fails.
     */
    private void settle(Client client, Frame answer) {
        try {
            if (answer != null) {
                outbox.stage(client, answer);
            }
        } finally {
            client.mutationSettled();
        }
    }

    /** The refusal to the requester and to any retry of it that was waiting. */
    private void refuse(Client requester, Origin origin, MutationResult.Rejected rejection) {
        settle(requester, refusal(origin, rejection));
    }

    /**
     * The ERROR refusing a change: any retry of it that was waiting is settled with it here, and
     * it is returned for the caller to settle the requester with.
     */
    private Frame refusal(Origin origin, MutationResult.Rejected rejection) {
        Long inReplyTo = origin.clientSequence();
        String json = ServerMessages.error(rejection.code(), rejection.message(), rejection.staffId(),
                rejection.current(), sequence, inReplyTo);
        Frame frame = encoder.encode(json);
        List<Client> waiting = inReplyTo == null ? List.of() : retries.rejected(RetryTable.Key.of(origin));
        for (Client client : waiting) {
            settle(client, frame);
        }
        int told = waiting.size() + 1; // the requester too, settled by the caller
        metrics.sent(MessageType.ERROR, told);
        for (int i = 0; i < told; i++) {
            metrics.error(rejection.code());
        }
        return frame;
    }

    /**
     * A retry the hub had not recognised (its original went through another instance, or left
     * the retry table) but the store did: the original event again, to the requester and to any
     * retry of it waiting here, as for a retry found in the table. Settles the waiting retries
     * and returns the frame for the caller to settle the requester with.
     */
    private Frame originalAgain(Origin origin, ChangeEvent original) {
        Frame frame = encoder.encode(ServerMessages.event(original));
        List<Client> waiting = origin.clientSequence() == null ? List.of()
                : retries.committed(RetryTable.Key.of(origin), frame, original.origin().fingerprint());
        for (Client client : waiting) {
            settle(client, frame);
        }
        int told = waiting.size() + 1; // the requester too, settled by the caller
        for (int i = 0; i < told; i++) {
            metrics.retryAnswered();
        }
        return frame;
    }

    /**
     * The broadcast. First the numbering and the hub's copy of the rows follow the store, then
     * the event goes out: should announcing it fail, snapshots still hold the change and the
     * next event still follows this one's number (see {@link #unannounced}).
     */
    private void onCommitted(ChangeEvent event) {
        if (event.sequence() != sequence + 1) {
            LOG.severe("store handed event " + event.sequence() + " after " + sequence + ": numbering has a gap");
        }
        sequence = event.sequence();
        mirror(event);
        Frame frame = encoder.encode(ServerMessages.event(event));
        history.add(sequence, frame);
        outbox.stageBroadcast(clients.values(), frame);
        metrics.broadcast(event.kind().messageType, clients.size());
        Origin origin = event.origin();
        if (origin != null && origin.clientSequence() != null) {
            // Waiting retries are connected clients: the broadcast was their answer.
            retries.committed(RetryTable.Key.of(origin), frame, origin.fingerprint()).forEach(waiter -> settle(waiter, null));
        }
    }

    /** The hub's copy of the rows (for snapshots, and MAX_ROWS) takes a committed change. */
    private void mirror(ChangeEvent event) {
        StaffRow row = event.row();
        StaffRow previous = event.kind() == ChangeEvent.Kind.DELETE ? rowIndex.remove(row.id())
                : rowIndex.put(row.id(), row);
        StaffRow current = event.kind() == ChangeEvent.Kind.DELETE ? null : row;
        rowsById = rowsById.replace(previous, current);
        rowsByPeriod = rowsByPeriod.replace(previous, current);
        snapshotBytes += approximateBytes(current) - approximateBytes(previous);
        if (event.kind() == ChangeEvent.Kind.CREATE) {
            limits.settled(row.id()); // the create's slot is now a stored row
        }
    }

    private void onLoaded(StoreState state) {
        boolean reload = loaded;
        loaded = true;
        epoch = state.epoch();
        sequence = state.sequence();
        rowIndex.clear();
        snapshotBytes = 0;
        for (StaffRow row : state.rows()) {
            rowIndex.put(row.id(), row);
            snapshotBytes += approximateBytes(row);
        }
        rowsById = SortedRows.of(rowIndex.values(), SortedRows.BY_ID);
        rowsByPeriod = SortedRows.of(rowIndex.values(), SortedRows.BY_PERIOD);
        history.clear(state.sequence() - state.recentEvents().size());
        retries.clear();
        for (ChangeEvent event : state.recentEvents()) {
            Frame frame = encoder.encode(ServerMessages.event(event));
            history.add(event.sequence(), frame);
            Origin origin = event.origin();
            if (origin != null && origin.clientSequence() != null) {
                retries.committed(RetryTable.Key.of(origin), frame, origin.fingerprint());
            }
        }
        LOG.info("store " + store.kind() + " loaded: " + rowIndex.size() + " rows, epoch " + epoch
                + ", sequence " + sequence + (reload ? " (reloaded)" : ""));
        // Clients that connected before the store answered hold an empty view: give them the real one.
        for (Client client : clients.values()) {
            turns.ask(new SyncAsk(client, new SyncRequest(null, null, null), null));
        }
    }

    private void onSyncAsked(SyncAsk ask) {
        Client client = ask.client();
        if (clients.get(client.connectionId()) != client || !refuseUntilLoaded(client, ask.inReplyTo())) {
            return; // a request that overtook its connection's close needs no answer
        }
        if (!turns.ask(ask)) {
            send(client, MessageType.ERROR, ServerMessages.error(ErrorCode.RATE_LIMITED, "too many sync requests "
                    + "waiting for their replies (MAX_PENDING_PER_CONNECTION); this one was not answered",
                    null, null, sequence, ask.inReplyTo()));
            metrics.error(ErrorCode.RATE_LIMITED);
        }
    }

    /** How an ask is answered at this moment: a replay of these frames (else a snapshot), whole or streamed. */
    private record Plan(List<Frame> replay, boolean large) {}

    private Plan plan(SyncAsk ask) {
        SyncRequest request = ask.request();
        if (request != null && request.sinceSequence() != null && epoch.equals(request.epoch())) {
            List<Frame> missed = history.after(request.sinceSequence());
            if (missed != null) {
                long bytes = 0;
                for (Frame frame : missed) {
                    bytes += frame.size();
                }
                // A replay larger than the snapshot it stands for is answered with the snapshot, once it
                // is large enough for that to matter: a client follows events more easily than a new list.
                if (bytes <= Math.max(REPLAY_OR_SNAPSHOT_BYTES, snapshotBytes)) {
                    return new Plan(missed, bytes > SMALL_REPLY_BYTES);
                }
            }
        }
        return new Plan(null, rowsAsked(ask, SMALL_REPLY_ROWS + 1).size() > SMALL_REPLY_ROWS);
    }

    @Override
    public boolean isLarge(SyncAsk ask) {
        return plan(ask).large();
    }

    @Override
    public Reply answer(SyncAsk ask) {
        Client client = ask.client();
        Long inReplyTo = ask.inReplyTo();
        Plan plan = plan(ask);
        Reply reply;
        if (plan.replay() != null) {
            metrics.replayed(plan.replay().size());
            Frame done = encoder.encode(ServerMessages.replayDone(plan.replay().size(), sequence, inReplyTo));
            metrics.sent(MessageType.SYNC_RESPONSE, 1);
            if (!plan.large()) {
                plan.replay().forEach(frame -> outbox.stage(client, frame));
                outbox.stage(client, done);
                return null;
            }
            reply = new ReplayReply(plan.replay(), done);
        } else if (ask.allPeriods()) {
            metrics.sent(MessageType.SYNC_ALL_PERIODS_RESPONSE, 1);
            if (!plan.large()) {
                SortedMap<Long, List<StaffRow>> periods = new TreeMap<>();
                for (StaffRow row : rowsAsked(ask, SMALL_REPLY_ROWS)) {
                    periods.computeIfAbsent(row.period(), period -> new ArrayList<>()).add(row);
                }
                outbox.stage(client, encoder.encode(ServerMessages.allPeriods(periods, sequence, inReplyTo)));
                return null;
            }
            reply = new SnapshotReply(rowsByPeriod, SnapshotReply.Shape.BY_PERIOD, null, sequence, inReplyTo,
                    encodedRows, encoder, joinConvoy("by period"));
        } else {
            Long period = ask.request().period();
            metrics.sent(MessageType.SYNC_RESPONSE, 1);
            if (!plan.large()) {
                outbox.stage(client, encoder.encode(
                        ServerMessages.snapshot(rowsAsked(ask, SMALL_REPLY_ROWS), period, sequence, inReplyTo)));
                return null;
            }
            reply = period == null
                    ? new SnapshotReply(rowsById, SnapshotReply.Shape.EVERY_ROW, null, sequence, inReplyTo, encodedRows,
                            encoder, joinConvoy("all"))
                    : new SnapshotReply(rowsByPeriod, SnapshotReply.Shape.ONE_PERIOD, period, sequence, inReplyTo,
                            encodedRows, encoder, joinConvoy("period " + period));
        }
        reply.whenWritten(() -> submit(new ReplyWritten(client, reply)));
        outbox.stage(client, reply);
        metrics.replyStreamed();
        return reply;
    }

    /** A place in the convoy of this kind of snapshot, a new one if the last has gone too far to join. */
    private Convoy.Member joinConvoy(String kind) {
        Convoy convoy = convoys.get(kind);
        long now = System.nanoTime();
        Convoy.Member member = convoy == null ? null : convoy.join(now);
        if (member == null) {
            convoy = new Convoy();
            convoys.put(kind, convoy);
            member = convoy.join(now);
        }
        return member;
    }

    /** The rows a snapshot for this ask holds, in order, but at most {@code limit} of them. */
    private List<StaffRow> rowsAsked(SyncAsk ask, int limit) {
        Long period = ask.allPeriods() ? null : ask.request().period();
        SortedRows rows = ask.allPeriods() || period != null ? rowsByPeriod : rowsById;
        List<StaffRow> selected = new ArrayList<>();
        SortedRows.Position at = period == null ? new SortedRows.Position(0, 0) : rows.firstOfPeriod(period);
        for (; !rows.isEnd(at) && selected.size() < limit; at = rows.next(at)) {
            StaffRow row = rows.row(at);
            if (period != null && row.period() != period) {
                break;
            }
            selected.add(row);
        }
        return selected;
    }

    // ---- when something fails: it fails alone, and the hub goes on ----

    /**
     * One event failed (a bug, or an Error such as a StackOverflowError): it fails alone. Its
     * requester, if it has one, gets INTERNAL (a change that failed in MutationRequested never
     * reached the store: handing it to a lane is that case's last step); a commit that failed to
     * go out closes the clients that missed it ({@link #unannounced}). Out of memory is the
     * exception: the process cannot be trusted any more, and the error goes on to end it (see
     * FatalErrors).
     */
    private void failed(HubEvent event, Throwable failure) {
        if (failure instanceof OutOfMemoryError outOfMemory) {
            throw outOfMemory;
        }
        LOG.log(Level.SEVERE, "hub failed to handle " + event.getClass().getSimpleName() + "; it fails alone and the"
                + " hub goes on", failure);
        metrics.hubEventFailed();
        try {
            answerFailed(event);
        } catch (Throwable alsoFailed) {
            if (alsoFailed instanceof OutOfMemoryError outOfMemory) {
                throw outOfMemory;
            }
            LOG.log(Level.SEVERE, "answering the failed " + event.getClass().getSimpleName() + " failed too", alsoFailed);
        }
    }

    private void answerFailed(HubEvent event) {
        String message = "the server failed to process this message (logged as a server error); nothing was applied";
        if (event instanceof Committed committed) {
            unannounced(committed.event());
        } else if (event instanceof MutationRequested request) {
            if (request.mutation() instanceof CreateStaff create) {
                limits.settled(create.staffId());
            }
            refuse(request.client(), request.origin(), new MutationResult.Rejected(ErrorCode.INTERNAL, message,
                    request.mutation().staffId(), null));
        } else if (event instanceof MutationDone done) {
            // Its place was given back already (onMutationDone); the store's outcome stands, so
            // this says only that the answer failed. Retries of it still waiting in the table
            // (the failure came before they were answered) hear the same: left there, they and
            // every later retry of the change would wait for an answer that is not coming.
            // refusal() settles those and counts them with the requester, who is staged here only.
            Frame error = refusal(done.request().origin(), new MutationResult.Rejected(ErrorCode.INTERNAL,
                    "the server failed to send this change's outcome (logged as a server error); sync to see whether"
                            + " it was applied", done.request().mutation().staffId(), null));
            outbox.stage(done.request().client(), error);
        } else if (event instanceof SyncRequested sync) {
            sendInternalError(sync.client(), sync.inReplyTo());
        } else if (event instanceof AllPeriodsRequested all) {
            sendInternalError(all.client(), all.inReplyTo());
        } else if (event instanceof Register register) {
            // Without its CONNECTION_ACK the client cannot know where it stands: let it reconnect.
            register.client().failed("the server failed to register the connection");
        }
    }

    private void sendInternalError(Client client, Long inReplyTo) {
        send(client, MessageType.ERROR, ServerMessages.error(ErrorCode.INTERNAL,
                "the server failed to answer this request (logged as a server error); ask again", null, null,
                sequence, inReplyTo));
        metrics.error(ErrorCode.INTERNAL);
    }

    /**
     * Handing a client its frames failed: it has missed them, so it must not go on as if it had
     * not. It is closed, reconnects and catches up; the others are not affected.
     */
    private void sendFailed(Client client, Throwable failure) {
        if (failure instanceof OutOfMemoryError outOfMemory) {
            throw outOfMemory;
        }
        LOG.log(Level.SEVERE, "sending to " + client.connectionId() + " failed; closing it", failure);
        metrics.hubEventFailed();
        clients.remove(client.connectionId());
        close(client, "the server failed to send to this connection");
    }

    /** Tells a client the server failed it (it reconnects); a client that throws even then is only logged. */
    private static void close(Client client, String reason) {
        try {
            client.failed(reason);
        } catch (Throwable closeFailed) {
            if (closeFailed instanceof OutOfMemoryError outOfMemory) {
                throw outOfMemory;
            }
            LOG.log(Level.WARNING, "closing " + client.connectionId() + " failed too", closeFailed);
        }
    }

    /**
     * A committed change whose event the hub failed to announce (an exception in
     * {@link #onCommitted}). The store has it and numbered it; the hub's numbering and copy of the
     * rows took it before anything that can fail (unless the failure was in taking it: then the
     * copy is wrong until the store loads again, and the log says so). But the connected clients
     * never got the event, and nothing would tell them: the next event carries the next number,
     * and a replay would skip it. So: the replay history restarts after it (a client catching up
     * from before it gets a snapshot, which holds the change), and every client that should have
     * had the event is closed, to reconnect and catch up. A retry waiting for it is let go (its
     * client is among those closed); a later retry goes to the store, which knows the change.
     */
    private void unannounced(ChangeEvent event) {
        sequence = Math.max(sequence, event.sequence());
        history.clear(sequence);
        Origin origin = event.origin();
        if (origin != null && origin.clientSequence() != null) {
            retries.rejected(RetryTable.Key.of(origin)).forEach(waiter -> settle(waiter, null));
        }
        List<Client> missed = new ArrayList<>(clients.values());
        clients.clear();
        for (Client client : missed) {
            close(client, "the server failed to send event " + event.sequence() + "; reconnect to catch up");
        }
    }

    // ---- helpers ----

    /** A row's size in a snapshot, near enough to compare a replay with a snapshot (0 for none). */
    private static long approximateBytes(StaffRow row) {
        if (row == null) {
            return 0;
        }
        return 140 + row.id().length() + row.name().length() + row.position().length() + row.department().length()
                + row.type().length() + row.createdAt().length() + row.updatedAt().length();
    }

    /** Before the store has loaded, a snapshot would be a lie: say so instead. */
    private boolean refuseUntilLoaded(Client client, Long inReplyTo) {
        if (loaded) {
            return true;
        }
        send(client, MessageType.ERROR, ServerMessages.error(ErrorCode.STORE_UNAVAILABLE,
                "the store has not loaded yet; try again shortly", null, null, sequence, inReplyTo));
        metrics.error(ErrorCode.STORE_UNAVAILABLE);
        return false;
    }

    private void send(Client client, MessageType type, String json) {
        outbox.stage(client, encoder.encode(json));
        metrics.sent(type, 1);
    }

    private void publishStatus(boolean running) {
        status = new HubStatus(running, loaded, clients.size() + awaitingAuth.size(), epoch, sequence,
                rowIndex.size());
        metrics.replies(turns.inProgress(), turns.waiting());
    }
}
