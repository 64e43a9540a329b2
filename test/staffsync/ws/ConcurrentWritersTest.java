package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * Eight managers editing the same twenty rows at once, 500 changes each, as fast as they can.
 * Afterwards every client, having applied the events it received in order, holds exactly what
 * the server holds; every client saw every event once, numbered without a gap; and each row's
 * events carry increasing versions.
 */
class ConcurrentWritersTest {
    static final int CLIENTS = 8;
    static final int MUTATIONS = 500;
    static final int ROWS = 20;

    @Test
    void eightConcurrentWritersEndWithIdenticalStateGapFreeSequencesAndIncreasingVersions() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ConcurrentWritersTest seed=" + seed + " (replay with: make test SEED=" + seed
                + " TESTS=\"--select-class " + ConcurrentWritersTest.class.getName() + "\")");
        // As fast as they can: far over the server-wide write rate meant for people.
        try (ServerProcess server = ServerProcess.start(Map.of("MAX_WRITES_PER_SECOND", "1000000"))) {
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                WsClient client = WsClient.connect(server.wsUri(), "writer-" + i);
                assertEquals(0, Json.seq(client.ack()));
                clients.add(client);
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<List<JsonObject>>> received = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                WsClient client = clients.get(i);
                Random random = new Random(seed + i);
                received.add(pool.submit(() -> sendAndCollectReplies(client, random)));
            }
            List<List<JsonObject>> beforeAllReplies = new ArrayList<>();
            for (Future<List<JsonObject>> future : received) {
                beforeAllReplies.add(future.get());
            }
            pool.shutdown();

            WsClient auditor = WsClient.connect(server.wsUri(), "auditor");
            auditor.ack();
            auditor.send("SYNC_REQUEST", "{}");
            JsonObject snapshot = Json.payload(auditor.next("SYNC_RESPONSE"));
            long last = snapshot.get("sequenceNumber").getAsLong();
            Map<String, JsonObject> serverRows = new TreeMap<>();
            for (JsonElement row : snapshot.getAsJsonArray("staff")) {
                serverRows.put(row.getAsJsonObject().get("id").getAsString(), row.getAsJsonObject());
            }
            assertTrue(last > 0, "some changes were applied");

            for (int i = 0; i < CLIENTS; i++) {
                List<JsonObject> events = new ArrayList<>();
                for (JsonObject message : beforeAllReplies.get(i)) {
                    if (isEvent(message)) {
                        events.add(message);
                    }
                }
                WsClient client = clients.get(i);
                while (events.isEmpty() || Json.seq(events.get(events.size() - 1)) < last) {
                    JsonObject message = client.next();
                    if (isEvent(message)) {
                        events.add(message);
                    }
                }
                assertGapFree(events, last, "client " + i);
                assertVersionsIncreasePerRow(events, "client " + i);
                assertEquals(serverRows, apply(events), "client " + i + " state equals the server's");
            }
            clients.forEach(WsClient::close);
            auditor.close();
        }
    }

    /** Sends every mutation at once (pipelined), then reads until each has its answer. */
    private static List<JsonObject> sendAndCollectReplies(WsClient client, Random random) {
        for (int k = 0; k < MUTATIONS; k++) {
            String id = "row-" + random.nextInt(ROWS);
            int dice = random.nextInt(10);
            if (dice < 3) {
                client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"n" + k + "\",\"period\":"
                        + random.nextInt(3) + "}}");
            } else if (dice < 8) {
                String version = random.nextBoolean() ? ",\"version\":" + (1 + random.nextInt(4)) : "";
                client.send("STAFF_UPDATE", "{\"staffId\":\"" + id + "\",\"changes\":{\"position\":\"p" + k + "\"}"
                        + version + "}");
            } else {
                client.send("STAFF_DELETE", "{\"staffId\":\"" + id + "\"}");
            }
        }
        Set<Long> answered = new HashSet<>();
        List<JsonObject> messages = new ArrayList<>();
        while (answered.size() < MUTATIONS) {
            JsonObject message = client.next();
            messages.add(message);
            if (message.has("inReplyTo") && message.get("clientId").getAsString().equals(client.clientId())
                    || Json.type(message).equals("ERROR")) {
                answered.add(message.get("inReplyTo").getAsLong());
            }
        }
        return messages;
    }

    private static boolean isEvent(JsonObject message) {
        String type = Json.type(message);
        return type.equals("STAFF_CREATE") || type.equals("STAFF_UPDATE") || type.equals("STAFF_DELETE");
    }

    private static void assertGapFree(List<JsonObject> events, long last, String who) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, Json.seq(events.get(i)), who + ": event " + i + " out of order or missing");
        }
        assertEquals(last, events.size(), who + " saw every event once");
    }

    /** A row's versions rise by one with each update; a delete ends it, a new create restarts at 1. */
    private static void assertVersionsIncreasePerRow(List<JsonObject> events, String who) {
        Map<String, Long> versions = new HashMap<>();
        for (JsonObject event : events) {
            JsonObject payload = Json.payload(event);
            switch (Json.type(event)) {
                case "STAFF_CREATE" -> {
                    String id = payload.get("id").getAsString();
                    assertTrue(!versions.containsKey(id), who + ": create of a live row " + id);
                    assertEquals(1, payload.get("version").getAsLong());
                    versions.put(id, 1L);
                }
                case "STAFF_UPDATE" -> {
                    String id = payload.get("staffId").getAsString();
                    long version = payload.get("version").getAsLong();
                    assertEquals(versions.get(id) + 1, version, who + ": version step of " + id);
                    versions.put(id, version);
                }
                default -> {
                    String id = payload.get("staffId").getAsString();
                    assertEquals(versions.remove(id), payload.get("version").getAsLong(), who + ": delete's version");
                }
            }
        }
    }

    private static Map<String, JsonObject> apply(List<JsonObject> events) {
        Map<String, JsonObject> rows = new TreeMap<>();
        for (JsonObject event : events) {
            JsonObject payload = Json.payload(event);
            switch (Json.type(event)) {
                case "STAFF_CREATE" -> rows.put(payload.get("id").getAsString(), payload);
                case "STAFF_UPDATE" -> rows.put(payload.get("staffId").getAsString(), payload.getAsJsonObject("staff"));
                default -> rows.remove(payload.get("staffId").getAsString());
            }
        }
        return rows;
    }
}
