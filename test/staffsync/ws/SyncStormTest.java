package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.LargeRows;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * Many full syncs at once, with 4,000 rows of 200-character fields (about 3.7 MB per snapshot)
 * and the default slow-consumer bound: the load that used to end the hub thread with an
 * out-of-memory error. A small REPLY_MEMORY_BYTES makes most requests wait their turn.
 *
 * <p>The clients all read in this one test process, which decodes hundreds of megabytes: on a
 * busy machine that alone takes tens of seconds, so replies are awaited for up to
 * {@link LargeRows#SLOW}.
 */
class SyncStormTest {
    static final int ROWS = 4_000;

    ServerProcess server;
    WsClient writer;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> env = new HashMap<>(LargeRows.fastWriter());
        env.put("REPLY_MEMORY_BYTES", "2097152");
        server = ServerProcess.start(env);
        writer = WsClient.connect(server.wsUri(), "writer");
        writer.ack();
        LargeRows.create(writer, ROWS, 3);
    }

    @AfterEach
    void stop() throws Exception {
        writer.close();
        server.close();
    }

    @Test
    void sixtyClientsSyncingAtOnceAllGetTheFullSnapshot() throws Exception {
        int clients = 60;
        List<WsClient> readers = new ArrayList<>();
        ExecutorService checkers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < clients; i++) {
                WsClient reader = WsClient.connect(server.wsUri(), "reader-" + i);
                reader.ack();
                readers.add(reader);
            }
            for (WsClient reader : readers) {
                reader.send("SYNC_REQUEST", "{}");
            }
            List<Future<Integer>> counts = new ArrayList<>();
            for (WsClient reader : readers) {
                counts.add(checkers.submit(() -> LargeRows.checkedIds(
                        Json.payload(LargeRows.nextLarge(reader, "SYNC_RESPONSE")).getAsJsonArray("staff")).size()));
            }
            for (Future<Integer> count : counts) {
                assertEquals(ROWS, count.get());
            }
        } finally {
            checkers.shutdownNow();
            readers.forEach(WsClient::close);
        }
        assertServerStillServes();
    }

    @Test
    void sixtySyncRequestsFromOneConnectionAreAllAnsweredInOrder() throws Exception {
        try (WsClient reader = WsClient.connect(server.wsUri(), "greedy")) {
            reader.ack();
            List<Long> asked = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                asked.add(reader.send("SYNC_REQUEST", "{}"));
            }
            for (long number : asked) {
                JsonObject response = LargeRows.nextLarge(reader, "SYNC_RESPONSE");
                assertEquals(number, response.get("inReplyTo").getAsLong(), "replies come in the order asked");
                assertEquals(ROWS, LargeRows.checkedIds(Json.payload(response).getAsJsonArray("staff")).size());
            }
        }
        assertServerStillServes();
    }

    private void assertServerStillServes() throws Exception {
        writer.send("STAFF_CREATE", "{\"staff\":{\"id\":\"after\",\"name\":\"After\"}}");
        assertEquals("after", Json.payload(writer.next("STAFF_CREATE")).get("id").getAsString());
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.httpUri("/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
    }
}
