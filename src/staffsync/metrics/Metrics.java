package staffsync.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.MessageType;

/**
 * Counters for /metrics, written by many threads. Thread-safe by construction: every counter
 * is a {@link LongAdder} (cheap under contention) in a concurrent map; nothing is locked.
 */
public final class Metrics {
    private final ConcurrentHashMap<String, LongAdder> messagesIn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> messagesOut = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> protocolErrors = new ConcurrentHashMap<>();
    private final LongAdder broadcasts = new LongAdder();
    private final LongAdder fanOut = new LongAdder();
    private final LongAdder slowConsumerDrops = new LongAdder();
    private final LongAdder replayedEvents = new LongAdder();
    private final LongAdder retriesAnswered = new LongAdder();
    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder handshakesReaped = new LongAdder();
    private final LongAdder writeDemandRepairs = new LongAdder();
    private final LongAdder socketWrites = new LongAdder();
    private final LongAdder hubFailures = new LongAdder();
    /** Access control (issue 11): by outcome or reason label; never a token. */
    private final ConcurrentHashMap<String, LongAdder> tokensChecked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> jwksFetches = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> writesRefused = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> handshakesRefused = new ConcurrentHashMap<>();
    private final LongAdder repliesStreamed = new LongAdder();
    private final LongAdder replyChunksEncoded = new LongAdder();
    private final LongAdder replyChunksReused = new LongAdder();
    /** Set by the hub thread after each turn. */
    private volatile int repliesInProgress;
    private volatile int repliesWaiting;
    /** Keyed by the rendered label set, e.g. {@code method="GET",outcome="2xx"}. */
    private final ConcurrentHashMap<String, LongAdder> supabaseRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> supabaseNanos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> supabaseCalls = new ConcurrentHashMap<>();
    /** Several instances (REDIS_URL): round trips to Redis, keyed like the Supabase ones. */
    private final ConcurrentHashMap<String, LongAdder> redisRoundTrips = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> redisNanos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> redisCalls = new ConcurrentHashMap<>();
    /** The last round trip's verdict: 1 Redis answered, 0 it could not be reached, -1 never asked (no Redis). */
    private volatile int redisUp = -1;

    public void received(String type) {
        count(messagesIn, type, 1);
    }

    public void sent(MessageType type, long count) {
        count(messagesOut, type.wire(), count);
    }

    public void error(ErrorCode code) {
        count(errors, code.name(), 1);
    }

    /** A client broke the protocol (a bad frame, an invalid message); the log shows only a sample. */
    public void protocolError(String kind) {
        count(protocolErrors, kind, 1);
    }

    /** One event sent to {@code clients} connections. */
    public void broadcast(MessageType type, int clients) {
        broadcasts.increment();
        fanOut.add(clients);
        sent(type, clients);
    }

    public void slowConsumerDropped() {
        slowConsumerDrops.increment();
    }

    public void replayed(int events) {
        replayedEvents.add(events);
    }

    public void retryAnswered() {
        retriesAnswered.increment();
    }

    public void connectionOpened() {
        connectionsOpened.increment();
    }

    public void handshakeReaped() {
        handshakesReaped.increment();
    }

    /** The hub failed one event, or handing one client its frames: see Hub.failed. */
    public void hubEventFailed() {
        hubFailures.increment();
    }

    /** One HTTP exchange with Supabase (see {@code RequestObserver}). */
    public void supabaseRequest(String method, String outcome, long nanos) {
        count(supabaseRequests, "method=\"" + method + "\",outcome=\"" + outcome + "\"", 1);
        String byMethod = "method=\"" + method + "\"";
        count(supabaseNanos, byMethod, nanos);
        count(supabaseCalls, byMethod, 1);
    }

    /**
     * One round trip to Redis (a {@code staffsync.redis.RedisObserver}): {@code command} is a
     * command's name, {@code script:NAME}, {@code pipeline} or {@code connect}; {@code outcome}
     * is ok, error_reply or io_error.
     */
    public void redisRoundTrip(String command, String outcome, long nanos) {
        String byCommand = "command=\"" + command + "\"";
        count(redisRoundTrips, byCommand + ",outcome=\"" + outcome + "\"", 1);
        count(redisNanos, byCommand, nanos);
        count(redisCalls, byCommand, 1);
        // An error reply is an answer: Redis is reachable. The heartbeat asks every second.
        redisUp = outcome.equals("io_error") ? 0 : 1;
    }

    public void socketWrite() {
        socketWrites.increment();
    }

    public void writeDemandRepaired() {
        writeDemandRepairs.increment();
    }

    /** One access token checked: {@code accepted}, or the reason it was refused. */
    public void tokenChecked(String outcome) {
        count(tokensChecked, outcome, 1);
    }

    public void jwksFetched(boolean ok) {
        count(jwksFetches, ok ? "ok" : "error", 1);
    }

    /** A STAFF_* message refused before the store: {@code read_only}, {@code reader}, {@code unauthenticated}. */
    public void writeRefused(String reason) {
        count(writesRefused, reason, 1);
    }

    /** A WebSocket handshake refused by an access check: {@code unauthorized} (401), {@code origin} (403). */
    public void handshakeRefused(String reason) {
        count(handshakesRefused, reason, 1);
    }

    /** A large reply handed to its connection, to be written as the client reads it. */
    public void replyStreamed() {
        repliesStreamed.increment();
    }

    public void replyChunkEncoded() {
        replyChunksEncoded.increment();
    }

    public void replyChunkReused() {
        replyChunksReused.increment();
    }

    /** Large replies being written, and sync requests waiting for their turn. */
    public void replies(int inProgress, int waiting) {
        repliesInProgress = inProgress;
        repliesWaiting = waiting;
    }

    private static void count(ConcurrentHashMap<String, LongAdder> map, String key, long amount) {
        map.computeIfAbsent(key, k -> new LongAdder()).add(amount);
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public String render(IntSupplier connections, long sequence, long uptimeSeconds) {
        StringBuilder out = new StringBuilder(2048);
        gauge(out, "staffsync_connections", "Open WebSocket connections.", connections.getAsInt());
        counter(out, "staffsync_connections_opened_total", "WebSocket connections accepted since start.",
                connectionsOpened.sum());
        gauge(out, "staffsync_event_sequence", "Sequence number of the last broadcast event.", sequence);
        gauge(out, "staffsync_uptime_seconds", "Seconds since the server started.", uptimeSeconds);
        labelled(out, "staffsync_messages_received_total", "Messages received from clients, by type.", "type", messagesIn);
        labelled(out, "staffsync_messages_sent_total", "Messages sent to clients, by type.", "type", messagesOut);
        labelled(out, "staffsync_errors_total", "ERROR replies sent, by code.", "code", errors);
        labelled(out, "staffsync_protocol_errors_total",
                "Client protocol errors (frames breaking RFC 6455, invalid messages), by kind; the log shows a sample.",
                "kind", protocolErrors);
        counter(out, "staffsync_broadcasts_total", "Events broadcast.", broadcasts.sum());
        counter(out, "staffsync_broadcast_fanout_total", "Event deliveries queued to clients (events x clients).",
                fanOut.sum());
        counter(out, "staffsync_slow_consumer_drops_total", "Clients dropped for exceeding their outbound bound.",
                slowConsumerDrops.sum());
        counter(out, "staffsync_replayed_events_total", "Events re-sent to reconnecting clients.", replayedEvents.sum());
        counter(out, "staffsync_retries_answered_total", "Resent mutations answered without applying them again.",
                retriesAnswered.sum());
        counter(out, "staffsync_handshakes_reaped_total",
                "Sockets closed for not completing a WebSocket handshake in time.", handshakesReaped.sum());
        counter(out, "staffsync_socket_writes_total",
                "Gathering writes to client sockets by the writer threads (fewer than messages sent: they batch).",
                socketWrites.sum());
        counter(out, "staffsync_write_demand_repairs_total",
                "Queued frames found without write interest (a Java-WebSocket race) and demanded again.",
                writeDemandRepairs.sum());
        counter(out, "staffsync_hub_failures_total",
                "Hub events that failed (a server bug, logged) and sends to a client that threw; the hub went on.",
                hubFailures.sum());
        labelled(out, "staffsync_writes_refused_total",
                "STAFF_* messages refused before the store, by reason (read_only, reader, unauthenticated).",
                "reason", writesRefused);
        labelled(out, "staffsync_tokens_checked_total",
                "Access tokens checked (handshake and AUTH), by outcome: accepted or the reason refused.", "outcome",
                tokensChecked);
        labelled(out, "staffsync_jwks_fetches_total", "Fetches of the project's JWKS, by outcome.", "outcome",
                jwksFetches);
        labelled(out, "staffsync_handshakes_refused_total",
                "WebSocket handshakes refused by an access check, by reason (unauthorized: 401, origin: 403).",
                "reason", handshakesRefused);
        counter(out, "staffsync_replies_streamed_total",
                "Large snapshots and replays written piece by piece as their clients read them.", repliesStreamed.sum());
        gauge(out, "staffsync_replies_in_progress", "Large replies being written now (bounded by REPLY_MEMORY_BYTES).",
                repliesInProgress);
        gauge(out, "staffsync_replies_waiting", "Sync requests waiting for their turn.", repliesWaiting);
        counter(out, "staffsync_reply_chunks_encoded_total", "Chunks of rows encoded to JSON for large replies.",
                replyChunksEncoded.sum());
        counter(out, "staffsync_reply_chunks_reused_total",
                "Chunks of rows a large reply found already encoded (shared with other replies).",
                replyChunksReused.sum());
        if (!supabaseRequests.isEmpty()) {
            header(out, "staffsync_supabase_requests_total", "HTTP exchanges with Supabase, by method and outcome.",
                    "counter");
            samples(out, "staffsync_supabase_requests_total", supabaseRequests);
            header(out, "staffsync_supabase_request_seconds", "Time spent in HTTP exchanges with Supabase, by method.",
                    "summary");
            new TreeMap<>(supabaseNanos).forEach((labels, nanos) -> out
                    .append("staffsync_supabase_request_seconds_sum{").append(labels).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", nanos.sum() / 1e9)).append('\n'));
            samples(out, "staffsync_supabase_request_seconds_count", supabaseCalls);
        }
        if (redisUp >= 0) {
            gauge(out, "staffsync_redis_up",
                    "1 if the last round trip to Redis got an answer, 0 if Redis could not be reached (the heartbeat"
                            + " asks every second).", redisUp);
            header(out, "staffsync_redis_round_trips_total", "Round trips to Redis, by command (script:NAME for a Lua"
                    + " script, connect for a new connection: a rising count is reconnecting) and outcome (ok,"
                    + " error_reply, io_error).", "counter");
            samples(out, "staffsync_redis_round_trips_total", redisRoundTrips);
            header(out, "staffsync_redis_round_trip_seconds", "Time spent in round trips to Redis, by command"
                    + " (script:publish is an event's publication).", "summary");
            new TreeMap<>(redisNanos).forEach((labels, nanos) -> out
                    .append("staffsync_redis_round_trip_seconds_sum{").append(labels).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", nanos.sum() / 1e9)).append('\n'));
            samples(out, "staffsync_redis_round_trip_seconds_count", redisCalls);
        }
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "gauge").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter").append(name).append(' ').append(value).append('\n');
    }

    private static void labelled(StringBuilder out, String name, String help, String label,
                                 ConcurrentHashMap<String, LongAdder> values) {
        header(out, name, help, "counter");
        Map<String, LongAdder> byLabelSet = new HashMap<>();
        values.forEach((value, count) -> byLabelSet.put(label + "=\"" + value + "\"", count));
        samples(out, name, byLabelSet);
    }

    /** One sample line per label set, e.g. {@code name{method="GET",outcome="2xx"} 7}, sorted. */
    private static void samples(StringBuilder out, String name, Map<String, LongAdder> byLabelSet) {
        new TreeMap<>(byLabelSet).forEach((labels, value) ->
                out.append(name).append('{').append(labels).append("} ").append(value.sum()).append('\n'));
    }

    private static StringBuilder header(StringBuilder out, String name, String help, String type) {
        return out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
