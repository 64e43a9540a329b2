package staffsync.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.store.supabase.PostgrestStandIn;
import staffsync.support.Json;
import staffsync.support.RedisServer;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * Several instances of the real jar as one server: a real redis-server, the PostgREST stand-in,
 * real WebSocket clients spread over the instances, real kill -9 (PROTOCOL.md, "Several instances").
 */
class ClusterServerTest {
    private static final long POLL_MS = 300;

    private RedisServer redis;
    private PostgrestStandIn standIn;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        redis = RedisServer.start();
        standIn = PostgrestStandIn.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        standIn.close();
        redis.close();
    }

    // ---- the parts ----

    private ServerProcess instance() throws Exception {
        return instance(Map.of());
    }

    /** One instance of the jar on the shared table and Redis; {@code overrides} replace or add settings. */
    private ServerProcess instance(Map<String, String> overrides) throws Exception {
        Map<String, String> env = new TreeMap<>(Map.of("STORE", "supabase", "SUPABASE_URL", standIn.url(),
                "SUPABASE_SERVICE_KEY", PostgrestStandIn.SECRET_KEY, "SUPABASE_POLL_MS", Long.toString(POLL_MS),
                "SUPABASE_TIMEOUT_MS", "1000", "REDIS_URL", redis.url(), "REDIS_TIMEOUT_MS", "1000"));
        env.putAll(overrides);
        ServerProcess server = ServerProcess.start(env);
        opened.add(server);
        server.awaitReady(200, Duration.ofSeconds(15));
        return server;
    }

    private WsClient client(ServerProcess server, String id) {
        WsClient client = WsClient.connect(server.wsUri(), id);
        opened.add(client);
        client.ack();
        return client;
    }

    private static boolean isEvent(JsonObject message) {
        return Json.type(message).startsWith("STAFF_");
    }

    private static boolean isEvent(String text) {
        return isEvent(JsonParser.parseString(text).getAsJsonObject());
    }

    private static long seq(String text) {
        return Json.seq(JsonParser.parseString(text).getAsJsonObject());
    }

    /** Reads until the event numbered {@code last} has arrived; returns the events (raw text), older ones first. */
    private static List<String> eventsUpTo(WsClient client, List<String> alreadyRead, long last) {
        List<String> events = new ArrayList<>();
        for (String text : alreadyRead) {
            if (isEvent(text)) {
                events.add(text);
            }
        }
        while (events.isEmpty() || seq(events.get(events.size() - 1)) < last) {
            String text = client.nextText();
            if (isEvent(text)) {
                events.add(text);
            }
        }
        return events;
    }

    /** Each row's summary from a SYNC_RESPONSE. */
    private static Map<String, String> snapshot(WsClient client) {
        client.send("SYNC_REQUEST", "{}");
        // Lenient: a new client may still be sent events other instances published before it came.
        JsonObject response = client.skipToType("SYNC_RESPONSE");
        Map<String, String> rows = new TreeMap<>();
        for (JsonElement row : Json.payload(response).getAsJsonArray("staff")) {
            rows.put(row.getAsJsonObject().get("id").getAsString(), row.toString());
        }
        return rows;
    }

    private static String update(String id, String field, String value) {
        return "{\"staffId\":" + Json.quote(id) + ",\"changes\":{\"" + field + "\":" + Json.quote(value) + "}}";
    }

    private static String create(String id, String name) {
        return "{\"staff\":{\"id\":" + Json.quote(id) + ",\"name\":" + Json.quote(name) + "}}";
    }

    // ---- the behaviours ----

    @Test
    void clientsSpreadOverThreeInstancesWithConcurrentWritersEndWithOneGapFreeSequenceAndTheSameRows() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ClusterServerTest seed=" + seed + " (rerun with -Dseed=" + seed + ")");
        List<ServerProcess> instances = List.of(instance(), instance(), instance());
        int writersPerInstance = 2;
        int mutations = 60;
        List<WsClient> writers = new ArrayList<>();
        for (int i = 0; i < instances.size() * writersPerInstance; i++) {
            writers.add(client(instances.get(i % instances.size()), "writer-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers.size());
        List<Future<List<String>>> replies = new ArrayList<>();
        for (int i = 0; i < writers.size(); i++) {
            WsClient writer = writers.get(i);
            Random random = new Random(seed + i);
            replies.add(pool.submit(() -> sendAndCollectReplies(writer, random, mutations)));
        }
        List<List<String>> received = new ArrayList<>();
        for (Future<List<String>> reply : replies) {
            try {
                received.add(reply.get(120, TimeUnit.SECONDS));
            } catch (ExecutionException failed) {
                throw new AssertionError(failed.getCause().getMessage() + "; the instances' logs:\n" + logs(instances),
                        failed.getCause());
            }
        }
        pool.shutdown();

        WsClient auditor = client(instances.get(0), "auditor");
        auditor.send("SYNC_REQUEST", "{}");
        // Lenient: events the other instances published may still reach this one after the auditor connected.
        long last = Json.seq(auditor.skipToType("SYNC_RESPONSE"));
        assertTrue(last > 0, "some changes were applied");
        List<String> reference = null;
        for (int i = 0; i < writers.size(); i++) {
            List<String> events = eventsUpTo(writers.get(i), received.get(i), last);
            String who = "writer-" + i + " on instance " + (i % instances.size());
            for (int k = 0; k < events.size(); k++) {
                assertEquals(k + 1, seq(events.get(k)), who + ": event " + k + " out of order or missing");
            }
            assertVersionsStepByOne(events, who);
            if (reference == null) {
                reference = events;
            } else {
                assertEquals(reference, events, who + " received other bytes than writer-0");
            }
        }
        Map<String, String> rows = snapshot(auditor);
        for (ServerProcess instance : instances) {
            assertEquals(rows, snapshot(client(instance, "checker")), "every instance serves the same rows");
        }
        Map<String, String> table = new TreeMap<>();
        for (JsonObject row : standIn.rows()) {
            table.put(row.get("id").getAsString(), row.get("version").getAsString());
        }
        Map<String, String> served = new TreeMap<>();
        rows.forEach((id, row) -> served.put(id, JsonParser.parseString(row).getAsJsonObject().get("version").getAsString()));
        assertEquals(table, served, "the served rows are the table's");
    }

    /** Every instance's log, for a failure that only shows under some timings (a lost answer once took 2 runs in 6). */
    private static String logs(List<ServerProcess> instances) {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < instances.size(); i++) {
            all.append("---- instance ").append(i).append(" ----\n").append(instances.get(i).log()).append('\n');
        }
        return all.toString();
    }

    /** Sends every mutation at once (pipelined), then reads until each has its answer; returns what came. */
    private static List<String> sendAndCollectReplies(WsClient client, Random random, int mutations) {
        Map<Long, String> sent = new TreeMap<>();
        for (int k = 0; k < mutations; k++) {
            String id = "row-" + random.nextInt(6);
            int dice = random.nextInt(10);
            if (dice < 2) {
                sent.put(client.send("STAFF_CREATE", create(id, "n" + k)), "STAFF_CREATE " + id);
            } else if (dice < 9) {
                String version = random.nextBoolean() ? ",\"version\":" + (1 + random.nextInt(6)) : "";
                sent.put(client.send("STAFF_UPDATE", "{\"staffId\":\"" + id + "\",\"changes\":{\"position\":\""
                        + client.clientId() + "-" + k + "\"}" + version + "}"), "STAFF_UPDATE " + id + version);
            } else {
                sent.put(client.send("STAFF_DELETE", "{\"staffId\":\"" + id + "\"}"), "STAFF_DELETE " + id);
            }
        }
        Set<Long> answered = new HashSet<>();
        List<String> texts = new ArrayList<>();
        while (answered.size() < mutations) {
            String text;
            try {
                text = client.nextText();
            } catch (AssertionError silent) {
                List<String> waiting = new ArrayList<>();
                sent.forEach((number, message) -> {
                    if (!answered.contains(number)) {
                        waiting.add(number + " " + message);
                    }
                });
                throw new AssertionError(client.clientId() + " still waits for the answers to " + waiting + " ("
                        + silent.getMessage() + ")", silent);
            }
            texts.add(text);
            JsonObject message = JsonParser.parseString(text).getAsJsonObject();
            boolean mine = message.has("inReplyTo") && (Json.type(message).equals("ERROR")
                    || message.get("clientId").getAsString().equals(client.clientId()));
            if (mine) {
                answered.add(message.get("inReplyTo").getAsLong());
            }
        }
        return texts;
    }

    /** On one connection: a row's versions rise by exactly one per update; a delete ends it; a create starts at 1. */
    private static void assertVersionsStepByOne(List<String> events, String who) {
        Map<String, Long> versions = new HashMap<>();
        for (String text : events) {
            JsonObject event = JsonParser.parseString(text).getAsJsonObject();
            JsonObject payload = Json.payload(event);
            switch (Json.type(event)) {
                case "STAFF_CREATE" -> {
                    String id = payload.get("id").getAsString();
                    assertFalse(versions.containsKey(id), who + ": create of a live row " + id);
                    assertEquals(1, payload.get("version").getAsLong());
                    versions.put(id, 1L);
                }
                case "STAFF_UPDATE" -> {
                    String id = payload.get("staffId").getAsString();
                    long version = payload.get("version").getAsLong();
                    assertEquals(versions.get(id) + 1, version, who + ": version step of " + id + " in " + text);
                    versions.put(id, version);
                }
                default -> {
                    String id = payload.get("staffId").getAsString();
                    assertEquals(versions.remove(id), payload.get("version").getAsLong(), who + ": delete's version");
                }
            }
        }
    }

    @Test
    void aClientResumesOnAnotherInstanceWithItsEpochAndSequenceAndMissesNothing() throws Exception {
        ServerProcess a = instance();
        ServerProcess b = instance();
        ServerProcess c = instance();
        WsClient tab = client(a, "tab");
        String epoch = Json.payload(tab.ack()).get("epoch").getAsString();
        WsClient other = client(b, "other");
        assertEquals(epoch, Json.payload(other.ack()).get("epoch").getAsString(), "one epoch for all instances");
        for (int i = 1; i <= 3; i++) {
            tab.send("STAFF_CREATE", create("r" + i, "Row " + i));
        }
        List<String> seenBeforeLeaving = eventsUpTo(tab, List.of(), 3);
        tab.close();
        for (int i = 1; i <= 4; i++) {
            other.send("STAFF_UPDATE", update("r" + (1 + i % 3), "department", "D" + i));
        }
        List<String> missed = eventsUpTo(other, List.of(), 7).subList(3, 7);

        WsClient back = client(c, "tab");
        assertEquals(epoch, Json.payload(back.ack()).get("epoch").getAsString());
        back.send("SYNC_REQUEST", "{\"sinceSequence\":" + seq(seenBeforeLeaving.get(2)) + ",\"epoch\":" + Json.quote(epoch) + "}");
        List<String> replayed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replayed.add(back.nextText());
        }
        assertEquals(missed, replayed, "the missed events, byte for byte, in order");
        JsonObject done = back.next("SYNC_RESPONSE");
        assertEquals(4, Json.payload(done).get("replayed").getAsInt());
    }

    @Test
    void aRetrySentToAnotherInstanceGetsTheOriginalOutcome() throws Exception {
        ServerProcess a = instance();
        ServerProcess b = instance();
        WsClient watcher = client(b, "watcher");
        WsClient tab = client(a, "tab");
        String message = create("ada", "Ada");
        tab.sendWithSequence("STAFF_CREATE", message, 5);
        String original = tab.nextText("STAFF_CREATE");
        tab.close();
        assertEquals(original, watcher.nextText("STAFF_CREATE"));

        WsClient again = client(b, "tab");
        again.sendWithSequence("STAFF_CREATE", message, 5);
        assertEquals(original, again.nextText("STAFF_CREATE"), "the original event, byte for byte");
        assertEquals(1, standIn.rows().size());
        // A window, not a fence: a second broadcast would come from Redis or another instance's
        // poller, which nothing sent on this connection can be ordered with.
        List<String> more = watcher.drain(Duration.ofMillis(3 * POLL_MS)).stream().filter(ClusterServerTest::isEvent).toList();
        assertEquals(List.of(), more, "the retry was not applied or broadcast again");

        WsClient forgetful = client(instance(Map.of("DEDUP_SIZE", "0")), "tab"); // its hub remembers no outcome
        forgetful.sendWithSequence("STAFF_CREATE", message, 5);
        assertEquals(original, forgetful.nextText("STAFF_CREATE"), "answered from Redis");
        forgetful.sendWithSequence("STAFF_CREATE", create("bob", "Bob"), 5);
        assertEquals("SEQUENCE_REUSED", Json.errorCode(forgetful.next("ERROR")));
        assertEquals(1, standIn.rows().size());
    }

    @Test
    void killingAnInstanceDuringAWriteBurstLosesNothingAcknowledgedAndItsUnpublishedCommitReachesEveryoneWithinTwoPolls()
            throws Exception {
        long pollMs = 1000;
        Map<String, String> timing = Map.of("SUPABASE_POLL_MS", Long.toString(pollMs));
        ServerProcess doomed = instance(timing);
        ServerProcess survivor = instance(timing);
        WsClient watcher = client(survivor, "watcher");
        WsClient writer = client(doomed, "writer");
        writer.send("STAFF_CREATE", create("w", "v0"));
        writer.next("STAFF_CREATE");

        // A burst: 20 renames sent at once. After the first three are acknowledged, the next write
        // to reach the table is committed and its answer held back; then the instance is killed.
        Map<Long, String> sent = new HashMap<>();
        for (int i = 1; i <= 20; i++) {
            sent.put(writer.send("STAFF_UPDATE", update("w", "name", "v" + i)), "v" + i);
        }
        List<String> acknowledged = new ArrayList<>();
        while (acknowledged.size() < 3) {
            JsonObject message = writer.next();
            if (Json.type(message).equals("STAFF_UPDATE") && message.has("inReplyTo")) {
                acknowledged.add(message.toString());
            }
        }
        standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_STALL, 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (standIn.stalledWrites() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, standIn.stalledWrites(), "a write was committed and its answer held back");
        long committedAt = System.nanoTime();
        String committedName = standIn.row("w").get("name").getAsString();
        for (String text : writer.drain(Duration.ZERO)) {
            JsonObject message = JsonParser.parseString(text).getAsJsonObject();
            if (Json.type(message).equals("STAFF_UPDATE") && message.has("inReplyTo")) {
                acknowledged.add(text);
            }
        }
        doomed.kill();

        // Lenient: the burst's acknowledged events come first, as many as the kill let through.
        JsonObject published = watcher.skipToMatching(message -> Json.type(message).equals("STAFF_UPDATE")
                && Json.payload(message).getAsJsonObject("staff").get("name").getAsString().equals(committedName));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committedAt);
        assertTrue(tookMs < 2 * pollMs, "the dead instance's commit was published after " + tookMs + " ms");
        assertEquals("writer", published.get("clientId").getAsString(), "published for its own client");
        assertEquals(committedName, sent.get(published.get("inReplyTo").getAsLong()));

        // The writer resumes on the survivor: it misses nothing, and its retry gets the original outcome.
        JsonObject lastSeen = JsonParser.parseString(acknowledged.get(acknowledged.size() - 1)).getAsJsonObject();
        WsClient back = client(survivor, "writer");
        String epoch = Json.payload(back.ack()).get("epoch").getAsString();
        back.send("SYNC_REQUEST", "{\"sinceSequence\":" + Json.seq(lastSeen) + ",\"epoch\":" + Json.quote(epoch) + "}");
        // Lenient: the replay starts with events the writer saw acknowledged, as many as the kill let through.
        JsonObject replayed = back.skipToMatching(message -> Json.type(message).equals("SYNC_RESPONSE")
                || Json.seq(message) == Json.seq(published));
        assertEquals(published, replayed, "the resumed client gets the commit it never saw acknowledged");
        back.sendWithSequence("STAFF_UPDATE", update("w", "name", committedName), published.get("inReplyTo").getAsLong());
        // Lenient: the rest of the replay and its SYNC_RESPONSE come first.
        assertEquals(published, back.skipToMatching(message -> Json.type(message).equals("STAFF_UPDATE")),
                "its retry gets the original outcome");

        // Nothing acknowledged is lost: every acknowledged change is in the survivor's history.
        WsClient auditor = client(survivor, "auditor");
        auditor.send("SYNC_REQUEST", "{\"sinceSequence\":0,\"epoch\":" + Json.quote(epoch) + "}");
        List<JsonObject> history = new ArrayList<>();
        for (JsonObject message = auditor.next(); !Json.type(message).equals("SYNC_RESPONSE"); message = auditor.next()) {
            history.add(message);
        }
        for (String text : acknowledged) {
            assertTrue(history.contains(JsonParser.parseString(text).getAsJsonObject()), "acknowledged and lost: " + text);
        }
        assertEquals(committedName, Json.payload(history.get(history.size() - 1)).getAsJsonObject("staff").get("name")
                .getAsString(), "the table's state is the last event");
    }

    @Test
    void whileRedisIsDownChangesAreRefusedAndReadyIs503ThenTheNumberingGoesOnOrANewEpochBegins() throws Exception {
        ServerProcess a = instance();
        ServerProcess b = instance();
        WsClient tab = client(a, "tab");
        WsClient watcher = client(b, "watcher");
        String epoch = Json.payload(tab.ack()).get("epoch").getAsString();
        tab.send("STAFF_CREATE", create("ada", "Ada"));
        tab.next("STAFF_CREATE");
        watcher.next("STAFF_CREATE");

        redis.stopKeepingData();
        long refused = tab.send("STAFF_UPDATE", update("ada", "name", "Never"));
        JsonObject error = tab.next("ERROR");
        assertEquals("STORE_UNAVAILABLE", Json.errorCode(error));
        assertEquals(refused, error.get("inReplyTo").getAsLong());
        assertEquals("Ada", standIn.row("ada").get("name").getAsString(), "not applied");
        a.awaitReady(503, Duration.ofSeconds(15));
        b.awaitReady(503, Duration.ofSeconds(15));
        assertTrue(a.get("/ready").body().contains("Redis"), a.get("/ready").body());

        redis.restart();
        a.awaitReady(200, Duration.ofSeconds(15));
        b.awaitReady(200, Duration.ofSeconds(15));
        tab.send("STAFF_UPDATE", update("ada", "name", "Ada L."));
        JsonObject renamed = tab.next("STAFF_UPDATE");
        assertEquals(2, Json.seq(renamed), "the numbering goes on");
        assertEquals(renamed.toString(), watcher.next("STAFF_UPDATE").toString());

        redis.stopLosingData();
        redis.restart();
        JsonObject snapshot = watcher.next("SYNC_RESPONSE");
        assertEquals(0, Json.seq(snapshot), "a new epoch starts at 0, and clients are sent a snapshot");
        assertEquals("Ada L.", Json.payload(snapshot).getAsJsonArray("staff").get(0).getAsJsonObject().get("name").getAsString());
        a.awaitReady(200, Duration.ofSeconds(15));
        WsClient late = client(a, "late");
        String newEpoch = Json.payload(late.ack()).get("epoch").getAsString();
        assertNotEquals(epoch, newEpoch);
        late.send("SYNC_REQUEST", "{\"sinceSequence\":2,\"epoch\":" + Json.quote(epoch) + "}");
        assertEquals(1, Json.payload(late.next("SYNC_RESPONSE")).getAsJsonArray("staff").size(),
                "a resume from the old epoch gets a full snapshot");
        late.send("STAFF_UPDATE", update("ada", "department", "ICU"));
        assertEquals(1, Json.seq(late.next("STAFF_UPDATE")));
    }

    @Test
    void metricsCountRedisRoundTripsAndSayWhetherRedisAnswersThroughAnOutage() throws Exception {
        ServerProcess server = instance();
        WsClient tab = client(server, "tab");
        tab.send("STAFF_CREATE", create("ada", "Ada"));
        tab.nextText("STAFF_CREATE");
        String up = server.metrics();
        assertTrue(up.contains("\nstaffsync_redis_up 1\n"), up);
        assertTrue(sample(up, "staffsync_redis_round_trips_total{command=\"script:publish\",outcome=\"ok\"}") >= 1, up);
        assertTrue(sample(up, "staffsync_redis_round_trip_seconds_count{command=\"script:publish\"}") >= 1, up);
        long connects = sample(up, "staffsync_redis_round_trips_total{command=\"connect\",outcome=\"ok\"}");

        redis.stopKeepingData();
        server.awaitReady(503, Duration.ofSeconds(15));
        String down = awaitMetrics(server, text -> text.contains("\nstaffsync_redis_up 0\n"));
        assertTrue(down.contains("outcome=\"io_error\"}"), down);

        redis.restart();
        server.awaitReady(200, Duration.ofSeconds(15));
        String again = awaitMetrics(server, text -> text.contains("\nstaffsync_redis_up 1\n"));
        assertTrue(sample(again, "staffsync_redis_round_trips_total{command=\"connect\",outcome=\"ok\"}") > connects,
                "it connected again: " + again);
    }

    /** A sample's value in /metrics' text (0 when absent). */
    private static long sample(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        return 0;
    }

    /** /metrics once it satisfies {@code condition}; fails after 15 s. */
    private static String awaitMetrics(ServerProcess server, java.util.function.Predicate<String> condition)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String text = server.metrics();
        while (!condition.test(text)) {
            assertTrue(System.nanoTime() < deadline, "metrics never got there: " + text);
            Thread.sleep(50);
            text = server.metrics();
        }
        return text;
    }

    @Test
    void aChangeMadeDirectlyInTheTableAppearsOnceOnEveryInstance() throws Exception {
        List<ServerProcess> instances = List.of(instance(), instance(), instance());
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            clients.add(client(instances.get(i), "tab-" + i));
        }
        clients.get(0).send("STAFF_CREATE", create("ada", "Ada"));
        for (WsClient client : clients) {
            client.next("STAFF_CREATE");
        }
        JsonObject change = new JsonObject();
        change.addProperty("department", "ICU");
        standIn.updateDirectly("ada", change);
        for (WsClient client : clients) {
            JsonObject event = client.next("STAFF_UPDATE");
            assertEquals("server", event.get("clientId").getAsString());
            assertEquals(2, Json.seq(event));
        }
        // A window, not a fence: a second publication would come from another instance's poller,
        // which nothing sent on these connections can be ordered with.
        for (WsClient client : clients) {
            assertEquals(List.of(), client.drain(Duration.ofMillis(4 * POLL_MS)), "published once, not once per instance");
        }
    }

    @Test
    void sigtermStopsOneInstanceCleanlyWhileTheOthersCarryOn() throws Exception {
        ServerProcess leaving = instance();
        ServerProcess staying = instance();
        WsClient tab = client(staying, "tab");
        leaving.terminate();
        assertEquals(0, leaving.awaitExit(15, TimeUnit.SECONDS), leaving.log());
        tab.send("STAFF_CREATE", create("ada", "Ada"));
        assertEquals(1, Json.seq(tab.next("STAFF_CREATE")));
    }

    @Test
    void theRedisPasswordNeverShowsInLogsHealthOrMetrics() throws Exception {
        redis.close();
        redis = RedisServer.start("--requirepass", "red1s-Secret");
        String url = "redis://:red1s-Secret@127.0.0.1:" + redis.port() + "/0";
        ServerProcess server = instance(Map.of("REDIS_URL", url));
        WsClient tab = client(server, "tab");
        tab.send("STAFF_CREATE", create("ada", "Ada"));
        tab.next("STAFF_CREATE");
        String health = server.get("/health").body();
        assertTrue(health.contains("\"kind\":\"supabase+redis\""), health);
        for (String text : List.of(health, server.get("/ready").body(), server.metrics(), server.log())) {
            assertFalse(text.contains("red1s-Secret"), text);
        }
    }

    @Test
    void redisUrlWithAStoreOtherThanSupabaseIsRefusedAtStart() throws Exception {
        try (ServerProcess server = ServerProcess.launch(Map.of("STORE", "memory", "REDIS_URL", redis.url()))) {
            assertEquals(2, server.awaitExit(30, TimeUnit.SECONDS));
            assertTrue(server.log().contains("REDIS_URL (several instances) needs STORE=supabase"), server.log());
        }
    }
}
