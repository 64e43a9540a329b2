package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.JwksServer;
import staffsync.support.ServerProcess;
import staffsync.support.Tokens;
import staffsync.support.Tokens.Signer;
import staffsync.support.WsClient;

/**
 * The project's JWKS as the running server uses it: a rotated key picked up without a restart,
 * a flood of made-up key ids costing at most one fetch per 30 s, and a JWKS that cannot be
 * fetched (held keys keep working; /ready says why).
 */
class JwksTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ServerProcess start(JwksServer jwks) throws Exception {
        return ServerProcess.start(Map.of("AUTH_MODE", "jwt", "JWKS_URL", jwks.jwksUrl().toString()));
    }

    private static HttpResponse<String> ready(ServerProcess server) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.httpUri("/ready")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (up to 15 s) until the server has the outcome of its first fetch, as /health shows it. */
    private static void awaitFirstFetch(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(server.httpUri("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonObject jwks = JsonParser.parseString(health.body()).getAsJsonObject().getAsJsonObject("auth")
                    .getAsJsonObject("jwks");
            if (jwks.get("lastError").isJsonNull() || !jwks.get("lastError").getAsString().equals("not fetched yet")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server did not fetch its JWKS within 15 s");
    }

    /** Waits (up to 15 s) until the server has fetched the JWKS at least this many times. */
    private static void awaitFetches(JwksServer jwks, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (jwks.fetches() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(jwks.fetches() >= count, "fetches: " + jwks.fetches());
    }

    private static JsonObject authOk(WsClient client, String token) {
        client.ack();
        return AuthenticationTest.authenticate(client, token);
    }

    @Test
    void aRotatedKeyIsPickedUpWithoutARestart() throws Exception {
        Signer before = Tokens.es256("2026-11");
        Signer after = Tokens.rs256("2026-12");
        try (JwksServer jwks = new JwksServer(Tokens.jwks(before)); ServerProcess server = start(jwks)) {
            awaitFirstFetch(server);
            try (WsClient old = WsClient.connect(server.wsUri(), "old")) {
                authOk(old, before.sign(Tokens.claims("u", true)));
            }
            jwks.serve(Tokens.jwks(before, after));
            // At the handshake the new kid is unknown: the connection opens while the JWKS is
            // fetched (no worker waits for it) and is acknowledged once the key is there.
            URI withToken = URI.create(server.wsUri() + "?access_token=" + after.sign(Tokens.claims("v", true)));
            try (WsClient viaUrl = WsClient.connect(withToken, "url")) {
                viaUrl.ack();
                assertEquals("AUTH_OK", Json.type(viaUrl.next()));
            }
            try (WsClient rotated = WsClient.connect(server.wsUri(), "rotated")) {
                assertEquals("u", authOk(rotated, after.sign(Tokens.claims("u", true))).get("subject").getAsString());
            }
            assertEquals(2, jwks.fetches(), "one fetch at start, one for the new kid");
        }
    }

    @Test
    void aFloodOfUnknownKidsFetchesTheJwksAtMostOncePer30Seconds() throws Exception {
        Signer known = Tokens.es256("known");
        try (JwksServer jwks = new JwksServer(Tokens.jwks(known)); ServerProcess server = start(jwks)) {
            awaitFirstFetch(server);
            for (int i = 0; i < 30; i++) {
                String token = Tokens.es256("made-up-" + i).sign(Tokens.claims("flood", true));
                if (i % 2 == 0) {
                    try (WsClient client = WsClient.connect(server.wsUri(), "flood-" + i)) {
                        client.ack();
                        client.send("AUTH", AuthenticationTest.authMessage(token));
                        AuthenticationTest.assertRefusedAndClosed(client, "not in the project's JWKS");
                    }
                } else {
                    assertEquals(401, WsClient.refusedStatus(URI.create(server.wsUri() + "?access_token=" + token), Map.of()));
                }
            }
            assertTrue(jwks.fetches() <= 2, "fetches: " + jwks.fetches() + " (one at start, at most one for the flood)");
            try (WsClient client = WsClient.connect(server.wsUri(), "still")) {
                authOk(client, known.sign(Tokens.claims("u", true)));
            }
        }
    }

    @Test
    void heldKeysStillWorkWhenTheJwksCannotBeFetchedAndReadySaysWhy() throws Exception {
        Signer key = Tokens.es256("held");
        try (JwksServer jwks = new JwksServer(Tokens.jwks(key)); ServerProcess server = start(jwks)) {
            awaitFirstFetch(server);
            jwks.fail(503);
            // A made-up kid makes the server fetch again now, and that fetch fails.
            try (WsClient client = WsClient.connect(server.wsUri(), "trigger")) {
                client.ack();
                client.send("AUTH", AuthenticationTest.authMessage(Tokens.es256("other").sign(Tokens.claims("x", true))));
                AuthenticationTest.assertRefusedAndClosed(client, "JWKS");
            }
            awaitFetches(jwks, 2);
            HttpResponse<String> ready = ready(server);
            assertEquals(200, ready.statusCode(), "held keys still check tokens");
            JsonObject body = JsonParser.parseString(ready.body()).getAsJsonObject();
            assertTrue(body.get("warning").getAsString().contains("503"), ready.body());
            try (WsClient client = WsClient.connect(server.wsUri(), "held")) {
                authOk(client, key.sign(Tokens.claims("u", true)));
            }
        }
    }

    @Test
    void readyIs503WhileNoKeyHasEverBeenFetched() throws Exception {
        try (JwksServer jwks = new JwksServer(Tokens.jwks())) {
            jwks.fail(500);
            try (ServerProcess server = start(jwks)) {
                awaitFirstFetch(server);
                HttpResponse<String> ready = ready(server);
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (ready.statusCode() == 200 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    ready = ready(server);
                }
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("JWKS") && ready.body().contains("500"), ready.body());
            }
        }
    }
}
