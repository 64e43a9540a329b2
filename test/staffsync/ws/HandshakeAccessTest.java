package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.JwksServer;
import staffsync.support.RawWebSocket;
import staffsync.support.ServerProcess;
import staffsync.support.SharedServer;
import staffsync.support.Tokens;
import staffsync.support.Tokens.Signer;
import staffsync.support.WsClient;

/**
 * The two access refusals at the handshake, as the JDK's own WebSocket client meets them:
 * {@code ?access_token=} checked before the WebSocket exists (401), and ALLOWED_ORIGINS (403).
 */
class HandshakeAccessTest {
    static final Signer EC = Tokens.es256("handshake-ec");
    static final JwksServer JWKS = AuthenticationTest.jwksServer(Tokens.jwks(EC));
    static final String APP = "https://app.example.com";

    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of(
            "AUTH_MODE", "jwt",
            "JWKS_URL", JWKS.jwksUrl().toString(),
            "ALLOWED_ORIGINS", APP + ",http://localhost:5173"));

    @AfterAll
    static void stopJwks() {
        JWKS.close();
    }

    static URI withToken(String token) {
        return URI.create(server.wsUri() + "?access_token=" + token);
    }

    // ---- ?access_token= ----

    @Test
    void aValidAccessTokenOpensAnAuthenticatedConnection() {
        try (WsClient client = WsClient.connect(withToken(EC.sign(Tokens.claims("url-user", true))), "url-" + UUID.randomUUID())) {
            client.ack();
            JsonObject ok = client.next();
            assertEquals("AUTH_OK", Json.type(ok), "the handshake's token is acknowledged like an AUTH");
            assertEquals("editor", Json.payload(ok).get("role").getAsString());
            assertFalse(ok.has("inReplyTo"));
            client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"url-" + UUID.randomUUID() + "\",\"name\":\"U\"}}");
            assertEquals("STAFF_CREATE", Json.type(client.next()), "an editor writes at once");
        }
    }

    @Test
    void anInvalidAccessTokenIsRefusedWith401AndNoWebSocket() {
        String forged = Tokens.es256("handshake-ec").sign(Tokens.claims("forger", true)); // same kid, another key
        assertEquals(401, WsClient.refusedStatus(withToken(forged), Map.of()));
    }

    @Test
    void anExpiredAccessTokenIsRefusedWith401() {
        JsonObject claims = Tokens.claims("late", true);
        claims.addProperty("exp", Instant.now().getEpochSecond() - 1);
        assertEquals(401, WsClient.refusedStatus(withToken(EC.sign(claims)), Map.of()));
    }

    @Test
    void anEmptyAccessTokenIsRefusedWith401() {
        assertEquals(401, WsClient.refusedStatus(withToken(""), Map.of()));
    }

    @Test
    void theRefusalSaysWhyWithoutRepeatingTheToken() throws IOException {
        String forged = Tokens.hs256(Tokens.SECRET).sign(Tokens.claims("x", true));
        try (RawWebSocket raw = RawWebSocket.connect(server.wsPort())) {
            raw.sendRaw(RawWebSocket.upgradeRequest("/staff-sync?access_token=" + forged, "13"));
            String response = raw.readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 401 Unauthorized\r\n"), response);
            assertTrue(response.contains("WWW-Authenticate: Bearer"), response);
            assertTrue(response.contains("HS256"), "names the reason: " + response);
            assertFalse(response.contains(forged.split("\\.")[1]), response);
        }
    }

    @Test
    void withoutAnAccessTokenTheConnectionOpensAndMustSendAuth() {
        try (WsClient client = WsClient.connect(server.wsUri(), "later-" + UUID.randomUUID())) {
            client.ack();
            client.send("SYNC_REQUEST", "{}");
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()));
            AuthenticationTest.authenticate(client, EC.sign(Tokens.claims("later", false)));
        }
    }

    @Test
    void refusedHandshakesAreCountedByReason() throws Exception {
        WsClient.refusedStatus(withToken("not-a-token"), Map.of());
        WsClient.refusedStatus(server.wsUri(), Map.of("Origin", "https://evil.example.com"));
        String metrics = server.process().metrics();
        assertTrue(ServerProcess.metricSample(metrics, "staffsync_handshakes_refused_total{reason=\"unauthorized\"}") >= 1);
        assertTrue(ServerProcess.metricSample(metrics, "staffsync_handshakes_refused_total{reason=\"origin\"}") >= 1);
    }

    // ---- ALLOWED_ORIGINS ----

    @Test
    void anAllowedOriginConnects() {
        try (WsClient client = WsClient.connect(server.wsUri(), "app-" + UUID.randomUUID(), Map.of("Origin", APP))) {
            assertEquals("CONNECTION_ACK", Json.type(client.ack()));
        }
    }

    @Test
    void anOriginNotOnTheListIsRefusedWith403() {
        assertEquals(403, WsClient.refusedStatus(server.wsUri(), Map.of("Origin", "https://evil.example.com")));
        assertEquals(403, WsClient.refusedStatus(server.wsUri(), Map.of("Origin", "http://app.example.com")),
                "exact origins: the scheme counts");
        String token = EC.sign(Tokens.claims("valid", true));
        assertEquals(403, WsClient.refusedStatus(withToken(token), Map.of("Origin", "https://evil.example.com")),
                "a valid token does not make another site's page welcome");
    }

    @Test
    void noOriginHeaderIsAllowed() {
        try (WsClient client = WsClient.connect(server.wsUri(), "script-" + UUID.randomUUID())) {
            assertEquals("CONNECTION_ACK", Json.type(client.ack()));
        }
    }

    @Test
    void anyOriginIsAllowedByDefault() throws Exception {
        try (ServerProcess open = ServerProcess.start(Map.of());
             WsClient client = WsClient.connect(open.wsUri(), "any", Map.of("Origin", "https://anywhere.example"))) {
            assertEquals("CONNECTION_ACK", Json.type(client.ack()));
        }
    }
}
