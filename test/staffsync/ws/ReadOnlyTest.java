package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * The read-only switch (PROTOCOL.md "Read-only switch"): READ_ONLY at start, PUT
 * /admin/read-only at run time with the admin token; writes refused with READ_ONLY while
 * sync goes on; /health and /metrics tell.
 */
class ReadOnlyTest {
    static final String ADMIN_TOKEN = "admin-token-for-tests-" + UUID.randomUUID();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of("ADMIN_TOKEN", ADMIN_TOKEN));

    @AfterEach
    void switchWritesBackOn() throws Exception {
        assertEquals(200, put(server.process(), "Bearer " + ADMIN_TOKEN, "false").statusCode());
    }

    static HttpResponse<String> put(ServerProcess process, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(process.httpUri("/admin/read-only"))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject health(ServerProcess process) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(process.httpUri("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    static String create(String id) {
        return "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"R\"}}";
    }

    @Test
    void readOnlyCanBeSwitchedOnAndOffAtRunTime() throws Exception {
        try (WsClient client = WsClient.connect(server.wsUri(), "switch-" + UUID.randomUUID())) {
            client.ack();
            String before = "before-" + UUID.randomUUID();
            client.send("STAFF_CREATE", create(before));
            client.next("STAFF_CREATE");
            assertFalse(health(server.process()).get("readOnly").getAsBoolean());

            HttpResponse<String> on = put(server.process(), "Bearer " + ADMIN_TOKEN, "true");
            assertEquals(200, on.statusCode());
            assertTrue(JsonParser.parseString(on.body()).getAsJsonObject().get("readOnly").getAsBoolean());
            assertTrue(health(server.process()).get("readOnly").getAsBoolean());

            String during = "during-" + UUID.randomUUID();
            long number = client.send("STAFF_CREATE", create(during));
            JsonObject refused = client.next();
            assertEquals("READ_ONLY", Json.errorCode(refused));
            assertEquals(number, refused.get("inReplyTo").getAsLong());
            client.send("STAFF_UPDATE", "{\"staffId\":\"" + before + "\",\"changes\":{\"name\":\"X\"}}");
            assertEquals("READ_ONLY", Json.errorCode(client.next()));
            client.send("SYNC_REQUEST", "{}");
            String snapshot = client.next("SYNC_RESPONSE").toString();
            assertTrue(snapshot.contains(before) && !snapshot.contains(during), "sync goes on; nothing applied");
            long refusedWrites = ServerProcess.metricSample(server.process().metrics(),
                    "staffsync_writes_refused_total{reason=\"read_only\"}");
            assertTrue(refusedWrites >= 2, "refused writes counted by reason: " + refusedWrites);

            assertEquals(200, put(server.process(), "Bearer " + ADMIN_TOKEN, "false").statusCode());
            assertFalse(health(server.process()).get("readOnly").getAsBoolean());
            client.send("STAFF_CREATE", create(during));
            assertEquals("STAFF_CREATE", Json.type(client.next()));
        }
    }

    @Test
    void aWrongOrMissingAdminTokenIsRefusedWith401AndChangesNothing() throws Exception {
        HttpResponse<String> wrong = put(server.process(), "Bearer " + ADMIN_TOKEN + "x", "true");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertFalse(wrong.body().contains(ADMIN_TOKEN));
        assertEquals(401, put(server.process(), null, "true").statusCode());
        assertEquals(401, put(server.process(), ADMIN_TOKEN, "true").statusCode(), "the Bearer scheme is required");
        assertFalse(health(server.process()).get("readOnly").getAsBoolean());
    }

    @Test
    void aBodyOtherThanTrueOrFalseIsRefusedWith400() throws Exception {
        assertEquals(400, put(server.process(), "Bearer " + ADMIN_TOKEN, "yes").statusCode());
        assertFalse(health(server.process()).get("readOnly").getAsBoolean());
    }

    @Test
    void onlyPutIsAllowed() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(server.httpUri("/admin/read-only")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("PUT", get.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void authIsAnsweredEvenWithAuthenticationOff() {
        try (WsClient client = WsClient.connect(server.wsUri(), "off-" + UUID.randomUUID())) {
            client.ack();
            client.send("AUTH", "{\"token\":\"anything\"}");
            JsonObject ok = client.next();
            assertEquals("AUTH_OK", Json.type(ok));
            assertEquals("editor", Json.payload(ok).get("role").getAsString());
            assertTrue(Json.payload(ok).get("subject").isJsonNull());
            client.send("AUTH", "{}");
            assertEquals("VALIDATION_FAILED", Json.errorCode(client.next()), "an AUTH without a token is malformed");
        }
    }

    @Test
    void readOnlyAtStartAndNoAdminEndpointWithoutAdminToken() throws Exception {
        try (ServerProcess readOnly = ServerProcess.start(Map.of("READ_ONLY", "true"));
             WsClient client = WsClient.connect(readOnly.wsUri(), "ro")) {
            client.ack();
            client.send("STAFF_CREATE", create("ro-1"));
            assertEquals("READ_ONLY", Json.errorCode(client.next()));
            assertTrue(health(readOnly).get("readOnly").getAsBoolean());
            assertEquals(404, put(readOnly, "Bearer " + ADMIN_TOKEN, "false").statusCode());
            assertTrue(readOnly.log().contains("READ_ONLY=true"), "the log says writes are off");
        }
    }
}
