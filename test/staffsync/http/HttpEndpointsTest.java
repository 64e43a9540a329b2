package staffsync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

class HttpEndpointsTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.httpUri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReportsStoreConnectionsEpochSequenceUptimeAndVersion() throws Exception {
        try (WsClient client = WsClient.connect(server.wsUri(), "health")) {
            String epoch = client.ack().getAsJsonObject("payload").get("epoch").getAsString();
            client.send("STAFF_CREATE", "{\"staff\":{\"name\":\"H\"}}");
            client.next("STAFF_CREATE");
            HttpResponse<String> response = get("/health");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonObject health = JsonParser.parseString(response.body()).getAsJsonObject();
            assertEquals("ok", health.get("status").getAsString());
            JsonObject store = health.getAsJsonObject("store");
            assertEquals("memory", store.get("kind").getAsString());
            assertTrue(store.get("reachable").getAsBoolean());
            assertTrue(store.has("latencyMs") && store.has("lastError"));
            assertTrue(health.get("connections").getAsInt() >= 1);
            assertEquals(epoch, health.get("epoch").getAsString());
            assertTrue(health.get("sequenceNumber").getAsLong() >= 1);
            assertTrue(health.get("uptimeSeconds").getAsLong() >= 0);
            assertTrue(health.has("version"));
        }
    }

    @Test
    void readyIs200WhenTheHubRunsAndTheStoreIsReachable() throws Exception {
        HttpResponse<String> response = get("/ready");
        assertEquals(200, response.statusCode());
        assertTrue(JsonParser.parseString(response.body()).getAsJsonObject().get("ready").getAsBoolean());
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        try (WsClient client = WsClient.connect(server.wsUri(), "metrics")) {
            client.ack();
            client.send("STAFF_CREATE", "{\"staff\":{\"name\":\"M\"}}");
            client.next("STAFF_CREATE");
            client.sendText("not json");
            client.next("ERROR");
            HttpResponse<String> response = get("/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String body = response.body();
            assertTrue(body.contains("# TYPE staffsync_connections gauge"), body);
            assertTrue(body.contains("staffsync_messages_received_total{type=\"STAFF_CREATE\"}"), body);
            assertTrue(body.contains("staffsync_messages_sent_total{type=\"STAFF_CREATE\"}"), body);
            assertTrue(body.contains("staffsync_errors_total{code=\"INVALID_MESSAGE\"}"), body);
            assertTrue(body.contains("staffsync_broadcast_fanout_total"), body);
            assertTrue(body.contains("staffsync_slow_consumer_drops_total 0"), body);
            for (String line : body.split("\n")) {
                assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{[a-z]+=\"[A-Z_]+\"\\})? \\d+"),
                        "not a valid sample line: " + line);
            }
        }
    }

    @Test
    void anyOtherPathIs404Json() throws Exception {
        HttpResponse<String> response = get("/nothing-here");
        assertEquals(404, response.statusCode());
        assertTrue(JsonParser.parseString(response.body()).getAsJsonObject().has("error"));
    }

    @Test
    void aPostToHealthIs405() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.httpUri("/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
    }
}
