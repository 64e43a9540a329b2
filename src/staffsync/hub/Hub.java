package staffsync.hub;

import java.util.ArrayList;
import java.util.Collection;
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
import staffsync.hub.HubEvent.MutationRejected;
import staffsync.hub.HubEvent.MutationRequested;
import staffsync.hub.HubEvent.OriginalFound;
import staffsync.hub.HubEvent.Register;
import staffsync.hub.HubEvent.RegisterAwaitingAuth;
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
 * they go to {@link StoreLanes}, and their outcomes come back as events.
 */
public final class Hub implements Runnable, CommitListener {
    private static final Logger LOG = Logger.getLogger(Hub.class.getName());

    private final BlockingQueue<HubEvent> events = new LinkedBlockingQueue<>();
    private final StaffStore store;
    private final StoreLanes lanes;
    private final FrameEncoder encoder;
    private final Metrics metrics;
    private final String serverVersion;

    /** Bounds one turn, so the first event of a burst waits for at most this many others. */
    private static final int MAX_EVENTS_PER_TURN = 256;

    // ---- hub thread only ----
    private final Outbox outbox = new Outbox();
    private final Map<String, Client> clients = new LinkedHashMap<>();
    /** Connected, acknowledged, not yet authenticated: they receive no events (AUTH_MODE=jwt). */
    private final Map<String, Client> awaitingAuth = new LinkedHashMap<>();
    private final TreeMap<String, StaffRow> rows = new TreeMap<>();
    private final EventHistory history;
    private final RetryTable retries;
    private final WriteLimits limits;
    private String epoch = UUID.randomUUID().toString();
    private long sequence;
    private boolean loaded;

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
        this(store, storeThreads, historySize, retryTableSize, encoder, metrics, serverVersion, WriteLimits.none());
    }

    /** With the server-wide limits on changes: MAX_ROWS and MAX_WRITES_PER_SECOND. */
    public Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
               Metrics metrics, String serverVersion, int maxRows, double maxWritesPerSecond) {
        this(store, storeThreads, historySize, retryTableSize, encoder, metrics, serverVersion,
                new WriteLimits(maxRows, maxWritesPerSecond));
    }

    private Hub(StaffStore store, int storeThreads, int historySize, int retryTableSize, FrameEncoder encoder,
                Metrics metrics, String serverVersion, WriteLimits limits) {
        this.limits = limits;
        this.store = store;
        this.lanes = new StoreLanes(storeThreads);
        this.encoder = encoder;
        this.metrics = metrics;
        this.serverVersion = serverVersion;
        this.history = new EventHistory(historySize);
        this.retries = new RetryTable(retryTableSize);
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

    @Override
    public void loaded(StoreState state) {
        submit(new Loaded(state));
    }

    @Override
    public void committed(ChangeEvent event) {
        submit(new Committed(event));
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
                    outbox.flush(this::sendFailed);
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
            outbox.flush(this::sendFailed);
            publishStatus(true);
        }
        publishStatus(false);
    }

    /**
     * One event failed (a bug, or an Error such as a StackOverflowError): it fails alone. Its
     * requester, if it has one, gets INTERNAL; a change that failed here never reached the store
     * (every step after handing it over settles it itself). Out of memory is the exception: the
     * process cannot be trusted any more, and the error goes on to end it (see FatalErrors).
     */
    private void failed(HubEvent event, Throwable failure) {
        if (failure instanceof OutOfMemoryError outOfMemory) {
            throw outOfMemory;
        }
        LOG.log(Level.SEVERE, "hub failed to handle " + event.getClass().getSimpleName() + "; it fails alone and the"
                + " hub goes on", failure);
        metrics.hubEventFailed();
        String message = "the server failed to process this message (logged as a server error); nothing was applied";
        if (event instanceof MutationRequested request) {
            if (request.mutation() instanceof CreateStaff create) {
                limits.settled(create.staffId());
            }
            refuse(request.client(), request.origin(), new MutationResult.Rejected(ErrorCode.INTERNAL, message,
                    request.mutation().staffId(), null));
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
        try {
            client.failed("the server failed to send to this connection");
        } catch (RuntimeException closeFailed) {
            LOG.log(Level.WARNING, "closing " + client.connectionId() + " failed too", closeFailed);
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
        } else if (event instanceof MutationRequested request) {
            onMutationRequested(request);
        } else if (event instanceof MutationRejected rejected) {
            onMutationRejected(rejected);
        } else if (event instanceof Committed committed) {
            onCommitted(committed.event());
        } else if (event instanceof OriginalFound found) {
            onOriginalFound(found);
        } else if (event instanceof Loaded loadedEvent) {
            onLoaded(loadedEvent.state());
        } else if (event instanceof SyncRequested sync) {
            onSyncRequested(sync.client(), sync.request(), sync.inReplyTo());
        } else if (event instanceof AllPeriodsRequested all) {
            onAllPeriodsRequested(all.client(), all.inReplyTo());
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
            Object known = retries.lookup(key);
            if (known != null && !RetryTable.isSameMessage(known, origin.fingerprint())) {
                refuseReusedSequence(client, origin);
                return;
            }
            if (known instanceof RetryTable.Committed original) {
                // A retry of a committed change: the original event again, byte for byte.
                outbox.send(client, original.frame());
                client.mutationSettled();
                metrics.retryAnswered();
                return;
            }
            if (known instanceof RetryTable.Pending pending) {
                pending.waiting.add(client);
                metrics.retryAnswered();
                return;
            }
        }
        MutationResult.Rejected overLimit = limits.admit(request.mutation(), rows.size());
        if (overLimit != null) {
            refuse(client, origin, overLimit);
            return;
        }
        if (origin.clientSequence() != null) {
            retries.markPending(RetryTable.Key.of(origin), origin.fingerprint());
        }
        boolean queued = lanes.submit(request.mutation().staffId(), () -> applyOnLane(request));
        if (!queued) {
            onMutationRejected(new MutationRejected(client, origin, request.mutation(),
                    MutationResult.unavailable(request.mutation().staffId(), "the server is shutting down")));
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
        client.mutationSettled();
    }

    /** Runs on a store lane. An applied change comes back through {@link #committed}. */
    private void applyOnLane(MutationRequested request) {
        MutationResult result;
        try {
            result = store.apply(request.mutation(), request.origin());
        } catch (OutOfMemoryError e) {
            throw e; // ends the process: see FatalErrors
        } catch (Throwable e) {
            // Any other failure (an Error included) fails this change alone; the lane and its client go on.
            LOG.log(Level.SEVERE, "store failed on " + request.mutation().getClass().getSimpleName(), e);
            result = new MutationResult.Rejected(ErrorCode.INTERNAL, "the server failed to process the change",
                    request.mutation().staffId(), null);
        }
        if (result instanceof MutationResult.Rejected rejected) {
            submit(new MutationRejected(request.client(), request.origin(), request.mutation(), rejected));
        } else if (result instanceof MutationResult.Repeated repeated) {
            submit(new OriginalFound(request.client(), request.origin(), repeated.original()));
        } else {
            request.client().mutationSettled();
        }
    }

    private void onMutationRejected(MutationRejected event) {
        if (event.mutation() instanceof CreateStaff) {
            limits.settled(event.mutation().staffId());
        }
        refuse(event.client(), event.origin(), event.rejection());
    }

    /** The refusal to the requester and to any retry of it that was waiting. */
    private void refuse(Client requester, Origin origin, MutationResult.Rejected rejection) {
        Long inReplyTo = origin.clientSequence();
        String json = ServerMessages.error(rejection.code(), rejection.message(), rejection.staffId(),
                rejection.current(), sequence, inReplyTo);
        Frame frame = encoder.encode(json);
        List<Client> told = new ArrayList<>();
        told.add(requester);
        if (inReplyTo != null) {
            told.addAll(retries.rejected(RetryTable.Key.of(origin)));
        }
        for (Client client : told) {
            outbox.send(client, frame);
            metrics.sent(MessageType.ERROR, 1);
            metrics.error(rejection.code());
        }
        requester.mutationSettled();
        for (Client waiter : told.subList(1, told.size())) {
            waiter.mutationSettled();
        }
    }

    /**
     * A retry the hub had not recognised (its original went through another instance, or left
     * the retry table) but the store did: the original event again, to the requester and to any
     * retry of it waiting here, as for a retry found in the table.
     */
    private void onOriginalFound(OriginalFound found) {
        Frame frame = encoder.encode(ServerMessages.event(found.original()));
        List<Client> told = new ArrayList<>();
        told.add(found.client());
        Long clientSequence = found.origin().clientSequence();
        if (clientSequence != null) {
            told.addAll(retries.committed(RetryTable.Key.of(found.origin()), frame,
                    found.original().origin().fingerprint()));
        }
        for (Client client : told) {
            outbox.send(client, frame);
            client.mutationSettled();
            metrics.retryAnswered();
        }
    }

    private void onCommitted(ChangeEvent event) {
        if (event.sequence() != sequence + 1) {
            LOG.severe("store handed event " + event.sequence() + " after " + sequence + ": numbering has a gap");
        }
        sequence = event.sequence();
        StaffRow row = event.row();
        if (event.kind() == ChangeEvent.Kind.DELETE) {
            rows.remove(row.id());
        } else {
            rows.put(row.id(), row);
        }
        if (event.kind() == ChangeEvent.Kind.CREATE) {
            limits.settled(row.id()); // the create's slot is now a stored row
        }
        Frame frame = encoder.encode(ServerMessages.event(event));
        history.add(sequence, frame);
        outbox.broadcast(clients.values(), frame);
        metrics.broadcast(event.kind().wireType, clients.size());
        Origin origin = event.origin();
        if (origin != null && origin.clientSequence() != null) {
            List<Client> waiting = retries.committed(RetryTable.Key.of(origin), frame, origin.fingerprint());
            // Waiting retries are connected clients: the broadcast above was their answer.
            waiting.forEach(Client::mutationSettled);
        }
    }

    private void onLoaded(StoreState state) {
        boolean reload = loaded;
        loaded = true;
        epoch = state.epoch();
        sequence = state.sequence();
        rows.clear();
        for (StaffRow row : state.rows()) {
            rows.put(row.id(), row);
        }
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
        LOG.info("store " + store.kind() + " loaded: " + rows.size() + " rows, epoch " + epoch
                + ", sequence " + sequence + (reload ? " (reloaded)" : ""));
        // Clients that connected before the store answered hold an empty view: give them the real one.
        for (Client client : clients.values()) {
            send(client, MessageType.SYNC_RESPONSE, ServerMessages.snapshot(rows.values(), null, sequence, null));
        }
    }

    private void onSyncRequested(Client client, SyncRequest request, Long inReplyTo) {
        if (!refuseUntilLoaded(client, inReplyTo)) {
            return;
        }
        if (request.sinceSequence() != null && epoch.equals(request.epoch())) {
            List<Frame> missed = history.after(request.sinceSequence());
            if (missed != null) {
                for (Frame frame : missed) {
                    outbox.send(client, frame);
                }
                metrics.replayed(missed.size());
                send(client, MessageType.SYNC_RESPONSE, ServerMessages.replayDone(missed.size(), sequence, inReplyTo));
                return;
            }
        }
        Collection<StaffRow> selected = rows.values();
        if (request.period() != null) {
            List<StaffRow> inPeriod = new ArrayList<>();
            for (StaffRow row : rows.values()) {
                if (row.period() == request.period()) {
                    inPeriod.add(row);
                }
            }
            selected = inPeriod;
        }
        send(client, MessageType.SYNC_RESPONSE, ServerMessages.snapshot(selected, request.period(), sequence, inReplyTo));
    }

    private void onAllPeriodsRequested(Client client, Long inReplyTo) {
        if (!refuseUntilLoaded(client, inReplyTo)) {
            return;
        }
        SortedMap<Long, List<StaffRow>> periods = new TreeMap<>();
        for (StaffRow row : rows.values()) {
            periods.computeIfAbsent(row.period(), period -> new ArrayList<>()).add(row);
        }
        send(client, MessageType.SYNC_ALL_PERIODS_RESPONSE, ServerMessages.allPeriods(periods, sequence, inReplyTo));
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

    private void send(Client client, String type, String json) {
        outbox.send(client, encoder.encode(json));
        metrics.sent(type, 1);
    }

    private void publishStatus(boolean running) {
        status = new HubStatus(running, loaded, clients.size() + awaitingAuth.size(), epoch, sequence, rows.size());
    }
}
