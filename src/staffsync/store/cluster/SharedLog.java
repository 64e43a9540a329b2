package staffsync.store.cluster;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.redis.Redis;
import staffsync.redis.RespConnection;
import staffsync.redis.Script;

/**
 * The shared state in Redis, its keys and the scripts that change it atomically (the table of
 * keys is in docs/cluster.md). Every method is one round trip, and a script either does all of
 * its work or none of it, which is what makes "one number per event" and "one event per commit"
 * hold across instances. No decisions are made here: {@link Gate} decides, the scripts only
 * check that nothing moved since the decision was made.
 *
 * <p>Thread-safe: no state of its own besides the immutable key names; {@link Redis} pools
 * connections.
 */
final class SharedLog {
    /** An intents hash lives this long after its last change (a dead writer's intents go away). */
    static final Duration INTENTS_TTL = Duration.ofMinutes(10);
    /** A pending marker lives at most this long, should its writer vanish without a trace. */
    static final Duration PENDING_TTL = Duration.ofMinutes(1);
    private static final int STAGING_CHUNK = 500;

    // ---- results ----

    /** What {@link #intend} found. */
    sealed interface Intended {
        /** Go ahead: the intent is registered; {@code intent} as stored (with its base filled in). */
        record Ready(RowView view, Intent intent) implements Intended {}

        /** This mutation was committed before: its event. */
        record Done(long sequence, ChangeEvent event) implements Intended {}

        /**
         * This mutation's key is being written by {@code instance} (its intent {@code intentId}, on
         * row {@code rowId}), for the message with {@code fingerprint} (null when unknown).
         */
        record Pending(String value, String instance, String intentId, String rowId, String fingerprint)
                implements Intended {}

        /** Redis holds another numbering (it lost its data, or another instance made a new epoch). */
        record EpochChanged() implements Intended {}
    }

    /** What {@link #publish} did. */
    enum Outcome { PUBLISHED, MOVED, EPOCH_CHANGED }

    record Published(Outcome outcome, long sequence) {}

    /** A consistent picture: the epoch, its last sequence, every published row and the stream's events. */
    record Snapshot(String epoch, long sequence, List<StaffRow> rows, List<ChangeEvent> recentEvents) {}

    // ---- scripts ----

    /** KEYS: epoch rows marks tombs intents retry pending. ARGV: epoch id intentId intentJson intentsTtl pendingValue pendingTtl takeover fillBase withRetry deadIntent */
    private static final Script INTEND = Script.of("intend", """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'EPOCH'} end
            if ARGV[10] == '1' then
              local done = redis.call('GET', KEYS[6])
              if done then return {'DONE', done} end
              local pending = redis.call('GET', KEYS[7])
              if pending and pending ~= ARGV[8] then return {'PENDING', pending} end
              redis.call('SET', KEYS[7], ARGV[6], 'PX', ARGV[7])
            end
            if ARGV[11] ~= '' then redis.call('HDEL', KEYS[5], ARGV[11]) end
            local row = redis.call('HGET', KEYS[2], ARGV[2])
            local extra = ''
            if row then
              extra = ',"v":"' .. string.match(row, '"created_at":"([^"]*)"') .. '"'
              if ARGV[9] == '1' then extra = extra .. ',"b":' .. string.match(row, '"version":(%d+)') end
            elseif ARGV[9] == '1' then
              extra = ',"b":0'
            end
            local intent = string.sub(ARGV[4], 1, -2) .. extra .. '}'
            redis.call('HSET', KEYS[5], ARGV[3], intent)
            redis.call('PEXPIRE', KEYS[5], ARGV[5])
            return {'OK', row or '', redis.call('HGET', KEYS[3], ARGV[2]) or '', redis.call('HGET', KEYS[4], ARGV[2]) or '', intent}
            """);

    /** KEYS: epoch rows marks tombs intents. ARGV: epoch id */
    private static final Script READ = Script.of("read", """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'EPOCH'} end
            return {'OK', redis.call('HGET', KEYS[2], ARGV[2]) or '', redis.call('HGET', KEYS[3], ARGV[2]) or '',
                    redis.call('HGET', KEYS[4], ARGV[2]) or '', redis.call('HGETALL', KEYS[5])}
            """);

    /**
     * The gate. KEYS: epoch seq events rows marks tombs intents retry pending.
     * ARGV: epoch id expectedMark newRow tomb intentId mode(own|help) expectedIntent retryTtl maxLen intentsTtl withRetry event
     */
    private static final Script PUBLISH = Script.of("publish", """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'EPOCH'} end
            if (redis.call('HGET', KEYS[5], ARGV[2]) or '') ~= ARGV[3] then return {'MOVED'} end
            if ARGV[7] == 'help' and ARGV[6] ~= '' and redis.call('HGET', KEYS[7], ARGV[6]) ~= ARGV[8] then
              return {'MOVED'}
            end
            local seq = redis.call('INCR', KEYS[2])
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[10], seq .. '-0', 'e', ARGV[13])
            if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[2], ARGV[4]) else redis.call('HDEL', KEYS[4], ARGV[2]) end
            if ARGV[5] ~= '' then redis.call('HSET', KEYS[6], ARGV[2], ARGV[5]) end
            redis.call('HSET', KEYS[5], ARGV[2], seq)
            local record = seq .. ' ' .. ARGV[13]
            if ARGV[6] ~= '' then
              if ARGV[7] == 'own' then
                redis.call('HDEL', KEYS[7], ARGV[6])
              else
                redis.call('HSET', KEYS[7], ARGV[6], 'done ' .. record)
                redis.call('PEXPIRE', KEYS[7], ARGV[11])
              end
            end
            if ARGV[12] == '1' then
              redis.call('SET', KEYS[8], record, 'PX', ARGV[9])
              redis.call('DEL', KEYS[9])
            end
            return {'OK', seq}
            """);

    /** A writer takes back its intent. KEYS: intents pending. ARGV: intentId newJson('' = remove) pendingValue */
    private static final Script WITHDRAW = Script.of("withdraw", """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current and string.sub(current, 1, 5) == 'done ' then
              redis.call('HDEL', KEYS[1], ARGV[1])
              return {'DONE', string.sub(current, 6)}
            end
            if ARGV[2] == '' then
              redis.call('HDEL', KEYS[1], ARGV[1])
              if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
            elseif current then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            end
            return {'OK'}
            """);

    /** KEYS: epoch seq rows events */
    private static final Script SNAPSHOT = Script.of("snapshot", """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then return {'NONE'} end
            return {'OK', epoch, redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[3]),
                    redis.call('XRANGE', KEYS[4], '-', '+')}
            """);

    /** A new numbering, unless someone made one first. KEYS: epoch seq events rows marks tombs staging. ARGV: newEpoch */
    private static final Script BOOTSTRAP = Script.of("bootstrap", """
            local current = redis.call('GET', KEYS[1])
            if current then
              redis.call('DEL', KEYS[7])
              return {'EXISTS', current}
            end
            redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6])
            if redis.call('EXISTS', KEYS[7]) == 1 then redis.call('RENAME', KEYS[7], KEYS[4]) end
            redis.call('SET', KEYS[2], '0')
            redis.call('SET', KEYS[1], ARGV[1])
            return {'OK', ARGV[1]}
            """);

    private final Redis redis;
    private final String prefix;
    private final int streamLength;
    private final Duration retryTtl;

    /**
     * @param streamLength how many events the stream keeps (about: Redis trims in whole blocks)
     * @param retryTtl     how long a committed mutation's outcome is kept for retries
     */
    SharedLog(Redis redis, String table, int streamLength, Duration retryTtl) {
        this.redis = redis;
        this.prefix = "staffsync:{" + table + "}:";
        this.streamLength = streamLength;
        this.retryTtl = retryTtl;
    }

    private String key(String name) {
        return prefix + name;
    }

    private String intentsKey(String rowId) {
        return key("intents:" + rowId);
    }

    private String retryKey(Origin origin) {
        return key("retry:" + mutationKey(origin));
    }

    private String pendingKey(Origin origin) {
        return key("pending:" + mutationKey(origin));
    }

    /**
     * The hub's retry key in text: "{@code n:subject:clientId}". The number has no colon and the
     * token's subject (empty without authentication) is percent-encoded, so neither can make two
     * keys collide whatever the client id holds; with the subject in it, one user never reaches
     * another's outcome.
     */
    private static String mutationKey(Origin origin) {
        String subject = origin.subject() == null ? "" : URLEncoder.encode(origin.subject(), StandardCharsets.UTF_8);
        return origin.clientSequence() + ":" + subject + ":" + origin.clientId();
    }

    private static boolean remembered(Origin origin) {
        return origin != null && origin.clientSequence() != null;
    }

    // ---- operations ----

    /** The current epoch, or null when Redis has none (empty, or lost its data). */
    String epoch() throws IOException {
        return (String) redis.call("GET", key("epoch"));
    }

    /**
     * Announces a write: unless this mutation was committed before or is being written
     * elsewhere, registers {@code intent} and the mutation's pending marker.
     *
     * @param takeover the pending marker of a dead instance that this write replaces, or null
     * @param deadIntent that dead instance's intent id, removed if it is on this row, or null
     */
    Intended intend(String epoch, String rowId, Intent intent, String takeover, String deadIntent) throws IOException {
        Origin origin = intent.origin();
        String pendingValue = pendingValue(intent, rowId);
        List<Object> reply = list(redis.eval(INTEND,
                List.of(key("epoch"), key("rows"), key("marks"), key("tombs"), intentsKey(rowId),
                        remembered(origin) ? retryKey(origin) : key("none"), remembered(origin) ? pendingKey(origin) : key("none")),
                List.of(epoch, rowId, intent.id(), intent.toJson(), millis(INTENTS_TTL), pendingValue, millis(PENDING_TTL),
                        takeover == null ? "" : takeover, intent.base() == null ? "1" : "0", remembered(origin) ? "1" : "0",
                        deadIntent == null ? "" : deadIntent)));
        switch ((String) reply.get(0)) {
            case "EPOCH":
                return new Intended.EpochChanged();
            case "DONE":
                return done((String) reply.get(1));
            case "PENDING": {
                String value = (String) reply.get(1);
                String[] head = value.split(" ", 3);
                int last = head[2].lastIndexOf(' ');
                String fingerprint = head[2].substring(last + 1);
                return new Intended.Pending(value, head[0], head[1], head[2].substring(0, last),
                        fingerprint.equals("-") ? null : fingerprint);
            }
            default:
                RowView view = RowView.of(rowOrNull((String) reply.get(1)), (String) reply.get(2), emptyToNull((String) reply.get(3)));
                return new Intended.Ready(view, Intent.fromJson(intent.id(), (String) reply.get(4)));
        }
    }

    /** The row's shared state, or null when Redis holds another epoch. */
    RowView read(String epoch, String rowId) throws IOException {
        List<Object> reply = list(redis.eval(READ,
                List.of(key("epoch"), key("rows"), key("marks"), key("tombs"), intentsKey(rowId)), List.of(epoch, rowId)));
        if (!"OK".equals(reply.get(0))) {
            return null;
        }
        Map<String, Intent> intents = new HashMap<>();
        Map<String, String> stored = new HashMap<>();
        Map<String, RowView.Done> done = new HashMap<>();
        List<Object> entries = list(reply.get(4));
        for (int i = 0; i + 1 < entries.size(); i += 2) {
            String intentId = (String) entries.get(i);
            String value = (String) entries.get(i + 1);
            if (value.startsWith("done ")) {
                Intended.Done record = done(value.substring(5));
                done.put(intentId, new RowView.Done(record.sequence(), record.event()));
            } else {
                intents.put(intentId, Intent.fromJson(intentId, value));
                stored.put(intentId, value);
            }
        }
        return new RowView(rowOrNull((String) reply.get(1)), (String) reply.get(2), emptyToNull((String) reply.get(3)),
                intents, stored, done);
    }

    /**
     * Publishes {@code plan} if the row's mark is still {@code view.mark()} (and, for a plan that
     * answers another writer, its intent is still as read): appends its event to the stream with
     * the next number, records the row's new state, and settles the intent it answers: the own
     * intent is removed, another writer's is marked done with its event, and the mutation's
     * outcome is kept for retries.
     */
    Published publish(String epoch, String rowId, RowView view, Plan plan) throws IOException {
        Intent who = plan.attributed();
        Origin origin = who == null ? null : who.origin();
        List<Object> reply = list(redis.eval(PUBLISH,
                List.of(key("epoch"), key("seq"), key("events"), key("rows"), key("marks"), key("tombs"), intentsKey(rowId),
                        remembered(origin) ? retryKey(origin) : key("none"), remembered(origin) ? pendingKey(origin) : key("none")),
                List.of(epoch, rowId, view.mark(), plan.finalRow() == null ? "" : EventJson.row(plan.finalRow()),
                        plan.tomb() == null ? "" : plan.tomb(), who == null ? "" : who.id(), plan.own() ? "own" : "help",
                        who == null || plan.own() ? "" : view.stored().get(who.id()), millis(retryTtl),
                        Integer.toString(streamLength), millis(INTENTS_TTL), remembered(origin) ? "1" : "0",
                        EventJson.event(plan.event()))));
        return switch ((String) reply.get(0)) {
            case "OK" -> new Published(Outcome.PUBLISHED, (Long) reply.get(1));
            case "MOVED" -> new Published(Outcome.MOVED, 0);
            default -> new Published(Outcome.EPOCH_CHANGED, 0);
        };
    }

    /**
     * "{@code instance intentId rowId fingerprint}": who writes the mutation of this key, where, and
     * for which message ("-": unknown). A row id may hold spaces; nothing else does, so the value
     * is split two words from the left and one from the right.
     */
    private static String pendingValue(Intent intent, String rowId) {
        String fingerprint = intent.origin().fingerprint();
        return intent.instance() + " " + intent.id() + " " + rowId + " " + (fingerprint == null ? "-" : fingerprint);
    }

    /**
     * Takes back an intent: replaces it with {@code replacement} (a new base, or withdrawn), or
     * removes it with its pending marker when {@code replacement} is null. Returns the event if
     * a helper had already published the write for it (then it is removed either way).
     */
    RowView.Done withdraw(String rowId, Intent intent, Intent replacement) throws IOException {
        Origin origin = intent.origin();
        List<Object> reply = list(redis.eval(WITHDRAW,
                List.of(intentsKey(rowId), remembered(origin) ? pendingKey(origin) : key("none")),
                List.of(intent.id(), replacement == null ? "" : replacement.toJson(),
                        remembered(origin) ? pendingValue(intent, rowId) : "")));
        if ("DONE".equals(reply.get(0))) {
            Intended.Done done = done((String) reply.get(1));
            return new RowView.Done(done.sequence(), done.event());
        }
        return null;
    }

    /** Everything needed to start or restart, read atomically; null when Redis has no epoch. */
    Snapshot snapshot() throws IOException {
        List<Object> reply = list(redis.eval(SNAPSHOT,
                List.of(key("epoch"), key("seq"), key("rows"), key("events")), List.of()));
        if (!"OK".equals(reply.get(0))) {
            return null;
        }
        List<StaffRow> rows = new ArrayList<>();
        List<Object> flat = list(reply.get(3));
        for (int i = 1; i < flat.size(); i += 2) {
            rows.add(EventJson.row((String) flat.get(i)));
        }
        return new Snapshot((String) reply.get(1), Long.parseLong((String) reply.get(2)), rows,
                entries(list(reply.get(4))));
    }

    /**
     * Starts a new numbering from the table's rows, unless Redis already has one (then that one
     * stands). The rows go to a staging hash first, in chunks, and are renamed into place by the
     * script that sets the epoch, so nobody ever sees half of them.
     *
     * @return the epoch in force afterwards
     */
    String bootstrap(String instance, String newEpoch, List<StaffRow> rows) throws IOException {
        String staging = key("staging:" + instance);
        redis.call("DEL", staging);
        for (int from = 0; from < rows.size(); from += STAGING_CHUNK) {
            List<String> command = new ArrayList<>(List.of("HSET", staging));
            for (StaffRow row : rows.subList(from, Math.min(rows.size(), from + STAGING_CHUNK))) {
                command.add(row.id());
                command.add(EventJson.row(row));
            }
            redis.call(command.toArray(String[]::new));
        }
        List<Object> reply = list(redis.eval(BOOTSTRAP, List.of(key("epoch"), key("seq"), key("events"), key("rows"),
                key("marks"), key("tombs"), staging), List.of(newEpoch)));
        return (String) reply.get(1);
    }

    /** Says this instance is alive for {@code aliveFor}; its pending writes count as abandoned once that passes. */
    void heartbeat(String instance, Duration aliveFor) throws IOException {
        redis.call("SET", key("alive:" + instance), "1", "PX", millis(aliveFor));
    }

    boolean isAlive(String instance) throws IOException {
        return Long.valueOf(1).equals(redis.call("EXISTS", key("alive:" + instance)));
    }

    /** Best effort at shutdown: others need not wait for the heartbeat to expire. */
    void goodbye(String instance) throws IOException {
        redis.call("DEL", key("alive:" + instance));
    }

    /** A connection for {@link #readAfter}, owned by the caller. */
    RespConnection connectReader() throws IOException {
        return redis.connect();
    }

    /** The events after {@code sequence}, waiting up to {@code blockMs} for one; empty when none came. */
    List<ChangeEvent> readAfter(RespConnection connection, long sequence, long blockMs) throws IOException {
        Object reply = connection.callBlocking(blockMs, "XREAD", "COUNT", "1000", "BLOCK", Long.toString(blockMs),
                "STREAMS", key("events"), sequence + "-0");
        if (reply == null) {
            return List.of();
        }
        List<Object> streams = list(reply);
        return streams.isEmpty() ? List.of() : entries(list(list(streams.get(0)).get(1)));
    }

    private static List<ChangeEvent> entries(List<Object> entries) {
        List<ChangeEvent> events = new ArrayList<>(entries.size());
        for (Object entry : entries) {
            List<Object> parts = list(entry);
            String id = (String) parts.get(0);
            List<Object> fields = list(parts.get(1));
            events.add(EventJson.event(Long.parseLong(id.substring(0, id.indexOf('-'))), (String) fields.get(1)));
        }
        return events;
    }

    /** A stored outcome: "{@code sequence} {@code event JSON}". */
    private static Intended.Done done(String record) {
        int space = record.indexOf(' ');
        long sequence = Long.parseLong(record.substring(0, space));
        return new Intended.Done(sequence, EventJson.event(sequence, record.substring(space + 1)));
    }

    private static StaffRow rowOrNull(String json) {
        return json.isEmpty() ? null : EventJson.row(json);
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static String millis(Duration duration) {
        return Long.toString(duration.toMillis());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object reply) {
        return (List<Object>) reply;
    }
}
