package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.JwksServer;
import staffsync.support.ServerProcess;
import staffsync.support.SharedServer;
import staffsync.support.Tokens;
import staffsync.support.Tokens.Signer;
import staffsync.support.WsClient;

/**
 * AUTH_MODE=jwt on the wire (PROTOCOL.md "Authentication"), against the real jar: the AUTH
 * message, what a connection may do before AUTH_OK, readers and editors, refresh, expiry, and the
 * retry key's user. Tokens are signed here with JDK keys; the JWKS is served from this JVM.
 */
class AuthenticationTest {
    static final Signer EC = Tokens.es256("ec-main");
    static final Signer RSA = Tokens.rs256("rsa-main");
    static final Signer HMAC = Tokens.hs256(Tokens.SECRET);
    static final JwksServer JWKS = jwksServer(Tokens.jwks(EC, RSA));
    static final long AUTH_TIMEOUT_MS = 3_000;

    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of(
            "AUTH_MODE", "jwt",
            "SUPABASE_JWT_SECRET", Tokens.SECRET,
            "JWKS_URL", JWKS.jwksUrl().toString(),
            "AUTH_TIMEOUT_MS", Long.toString(AUTH_TIMEOUT_MS)));

    static JwksServer jwksServer(String document) {
        try {
            return new JwksServer(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopJwks() {
        JWKS.close();
    }

    static WsClient connect(String clientId) {
        WsClient client = WsClient.connect(server.wsUri(), clientId);
        client.ack();
        return client;
    }

    static String authMessage(String token) {
        return "{\"token\":" + Json.quote(token) + "}";
    }

    /** Sends AUTH and returns the AUTH_OK payload. */
    static JsonObject authenticate(WsClient client, String token) {
        long number = client.send("AUTH", authMessage(token));
        JsonObject reply = client.next();
        assertEquals("AUTH_OK", Json.type(reply), reply.toString());
        assertEquals(number, reply.get("inReplyTo").getAsLong());
        return Json.payload(reply);
    }

    static WsClient editor(String subject) {
        WsClient client = connect(subject + "-" + UUID.randomUUID());
        authenticate(client, EC.sign(Tokens.claims(subject, true)));
        return client;
    }

    static WsClient reader(String subject) {
        WsClient client = connect(subject + "-" + UUID.randomUUID());
        authenticate(client, EC.sign(Tokens.claims(subject, false)));
        return client;
    }

    static String createPayload(String id) {
        return "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"N\"}}";
    }

    /** The connection's next message is an ERROR UNAUTHORIZED, then it is closed with 4001. */
    static void assertRefusedAndClosed(WsClient client, String messagePart) {
        JsonObject error = client.next();
        assertEquals("UNAUTHORIZED", Json.errorCode(error));
        String message = Json.payload(error).get("message").getAsString();
        assertTrue(message.contains(messagePart), message);
        assertEquals(4001, client.awaitClose());
    }

    // ---- AUTH ----

    @Test
    void anHs256TokenAuthenticatesAndAuthOkSaysWhoAndUntilWhen() {
        try (WsClient client = connect("hs")) {
            JsonObject claims = Tokens.claims("user-hs", false);
            JsonObject ok = authenticate(client, HMAC.sign(claims));
            assertEquals("reader", ok.get("role").getAsString());
            assertEquals("user-hs", ok.get("subject").getAsString());
            assertEquals(Instant.ofEpochSecond(claims.get("exp").getAsLong()), Instant.parse(ok.get("expiresAt").getAsString()));
        }
    }

    @Test
    void anEs256TokenFromTheJwksAuthenticates() {
        try (WsClient client = connect("es")) {
            assertEquals("editor", authenticate(client, EC.sign(Tokens.claims("user-es", true))).get("role").getAsString());
        }
    }

    @Test
    void anRs256TokenFromTheJwksAuthenticates() {
        try (WsClient client = connect("rs")) {
            assertEquals("user-rs", authenticate(client, RSA.sign(Tokens.claims("user-rs", true))).get("subject").getAsString());
        }
    }

    @Test
    void beforeAuthOkOnlyAuthAndPingAreAcceptedAndTheConnectionStaysOpen() throws Exception {
        try (WsClient client = connect("early")) {
            client.send("STAFF_CREATE", createPayload("early-1"));
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()));
            client.send("SYNC_REQUEST", "{}");
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()));
            client.send("PING", """
                    {"n": 1}""");
            assertEquals("PONG", Json.type(client.next()));
            client.send("SHIFT_UPDATE", "{}");
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()), "any other type, known or not");
            client.send("STAFF_UPDATE", """
                    {"changes": {}}""");
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()), "decided before validation");
            client.sendText("not json");
            assertEquals("INVALID_MESSAGE", Json.errorCode(client.next()), "no type to judge by");
            authenticate(client, EC.sign(Tokens.claims("early", true)));
            client.send("SYNC_REQUEST", "{}");
            JsonObject snapshot = client.next("SYNC_RESPONSE");
            assertFalse(snapshot.toString().contains("early-1"), "the refused create was not applied");
            assertTrue(ServerProcess.metricSample(server.process().metrics(),
                    "staffsync_writes_refused_total{reason=\"unauthenticated\"}") >= 1, "counted by reason");
        }
    }

    @Test
    void noEventReachesAConnectionBeforeItsAuthOk() {
        try (WsClient waiting = connect("waiting"); WsClient writer = editor("writer-1")) {
            writer.send("STAFF_CREATE", createPayload("unseen-" + UUID.randomUUID()));
            writer.next("STAFF_CREATE");
            // Had the event been queued to the waiting connection, it would come before this PONG.
            waiting.send("PING", "{}");
            assertEquals("PONG", Json.type(waiting.next()));

            JsonObject ok = authenticate(waiting, EC.sign(Tokens.claims("waiting", false)));
            assertEquals("reader", ok.get("role").getAsString());
            String id = "seen-" + UUID.randomUUID();
            writer.send("STAFF_CREATE", createPayload(id));
            JsonObject event = waiting.next();
            assertEquals("STAFF_CREATE", Json.type(event));
            assertEquals(id, Json.payload(event).get("id").getAsString());
        }
    }

    @Test
    void aConnectionWithoutAValidTokenWithinAuthTimeoutIsClosedWith4001() {
        try (WsClient client = connect("silent")) {
            long opened = System.nanoTime();
            assertEquals(4001, client.awaitClose());
            assertTrue(System.nanoTime() - opened >= (AUTH_TIMEOUT_MS - 500) * 1_000_000, "not before AUTH_TIMEOUT_MS");
        }
    }

    @Test
    void anInvalidTokenInAuthGetsUnauthorizedThenClose4001() {
        try (WsClient client = connect("forger")) {
            client.send("AUTH", authMessage(Tokens.hs256("not-the-projects-secret-but-long-enough").sign(Tokens.claims("x", true))));
            assertRefusedAndClosed(client, "signature");
        }
    }

    @Test
    void anExpiredTokenIsRefusedAtConnect() {
        try (WsClient client = connect("late")) {
            JsonObject claims = Tokens.claims("late", true);
            long now = Instant.now().getEpochSecond();
            claims.addProperty("iat", now - 7200);
            claims.addProperty("exp", now - 3600);
            client.send("AUTH", authMessage(EC.sign(claims)));
            assertRefusedAndClosed(client, "token expired");
        }
    }

    @Test
    void aTokenExpiringWhileConnectedClosesWith4001AfterItsError() {
        try (WsClient client = connect("expiring")) {
            JsonObject claims = Tokens.claims("expiring", true);
            long exp = Instant.now().getEpochSecond() + 3;
            claims.addProperty("exp", exp);
            authenticate(client, EC.sign(claims));
            JsonObject error = client.next();
            long errorAt = System.currentTimeMillis();
            assertEquals("UNAUTHORIZED", Json.errorCode(error));
            assertEquals("token expired", Json.payload(error).get("message").getAsString());
            assertTrue(errorAt >= exp * 1000, "closed at exp, not before: " + (exp * 1000 - errorAt) + " ms early");
            assertEquals(4001, client.awaitClose());
        }
    }

    @Test
    void aRefreshWithTheSameSubExtendsTheConnection() throws InterruptedException {
        try (WsClient client = connect("refresher")) {
            JsonObject shortLived = Tokens.claims("refresher", true);
            long exp = Instant.now().getEpochSecond() + 3;
            shortLived.addProperty("exp", exp);
            authenticate(client, EC.sign(shortLived));
            JsonObject ok = authenticate(client, RSA.sign(Tokens.claims("refresher", true)));
            assertTrue(Instant.parse(ok.get("expiresAt").getAsString()).getEpochSecond() > exp + 3000);
            while (System.currentTimeMillis() < exp * 1000 + 500) {
                Thread.sleep(50); // until the first token's expiry has passed
            }
            client.send("PING", "{}");
            assertEquals("PONG", Json.type(client.next()), "still open, no ERROR");
            assertFalse(client.isClosed());
        }
    }

    @Test
    void aRefreshWithAnotherSubCloses() {
        try (WsClient client = connect("switcher")) {
            authenticate(client, EC.sign(Tokens.claims("first-user", true)));
            client.send("AUTH", authMessage(EC.sign(Tokens.claims("second-user", true))));
            assertRefusedAndClosed(client, "another user");
        }
    }

    @Test
    void theRoleFollowsTheNewestToken() {
        try (WsClient client = connect("promoted")) {
            authenticate(client, EC.sign(Tokens.claims("promoted", false)));
            client.send("STAFF_CREATE", createPayload("promoted-1"));
            assertEquals("UNAUTHORIZED", Json.errorCode(client.next()));
            assertEquals("editor", authenticate(client, EC.sign(Tokens.claims("promoted", true))).get("role").getAsString());
            client.send("STAFF_CREATE", createPayload("promoted-1"));
            assertEquals("STAFF_CREATE", Json.type(client.next()));
        }
    }

    // ---- readers and editors ----

    @Test
    void aReadersWritesAreRefusedWhileItStillReceivesEvents() throws Exception {
        try (WsClient reader = reader("reader-1"); WsClient editor = editor("editor-1")) {
            String id = "by-editor-" + UUID.randomUUID();
            long number = reader.send("STAFF_CREATE", createPayload("by-reader"));
            JsonObject refused = reader.next();
            assertEquals("UNAUTHORIZED", Json.errorCode(refused));
            assertEquals(number, refused.get("inReplyTo").getAsLong());
            reader.send("STAFF_DELETE", """
                    {"staffId": "%s"}""".formatted(id));
            assertEquals("UNAUTHORIZED", Json.errorCode(reader.next()));

            editor.send("STAFF_CREATE", createPayload(id));
            assertEquals(id, Json.payload(editor.next("STAFF_CREATE")).get("id").getAsString());
            JsonObject event = reader.next();
            assertEquals("STAFF_CREATE", Json.type(event), "the reader receives the editor's change");
            reader.send("SYNC_REQUEST", "{}");
            String snapshot = reader.next("SYNC_RESPONSE").toString();
            assertTrue(snapshot.contains(id) && !snapshot.contains("by-reader"));
            assertTrue(ServerProcess.metricSample(server.process().metrics(),
                    "staffsync_writes_refused_total{reason=\"reader\"}") >= 2, "counted by reason");
        }
    }

    @Test
    void anEditorsChangesAreApplied() {
        try (WsClient editor = editor("editor-2")) {
            String id = "applied-" + UUID.randomUUID();
            editor.send("STAFF_CREATE", createPayload(id));
            editor.next("STAFF_CREATE");
            editor.send("STAFF_UPDATE", """
                    {"staffId": "%s", "changes": {"name": "M"}, "version": 1}""".formatted(id));
            assertEquals(2, Json.payload(editor.next("STAFF_UPDATE")).get("version").getAsLong());
            editor.send("STAFF_DELETE", """
                    {"staffId": "%s"}""".formatted(id));
            assertEquals("STAFF_DELETE", Json.type(editor.next("STAFF_DELETE")));
        }
    }

    // ---- the retry key holds the user ----

    @Test
    void aRetryOfAnotherUsersClientIdAndSequenceNumberDoesNotGetThatUsersOutcome() {
        String clientId = "shared-" + UUID.randomUUID();
        String id = "retried-" + UUID.randomUUID();
        String original;
        try (WsClient alice = WsClient.connect(server.wsUri(), clientId)) {
            alice.ack();
            authenticate(alice, EC.sign(Tokens.claims("alice", true)));
            alice.sendWithSequence("STAFF_CREATE", createPayload(id), 7);
            original = alice.nextText("STAFF_CREATE");
        }
        try (WsClient mallory = WsClient.connect(server.wsUri(), clientId)) {
            mallory.ack();
            authenticate(mallory, EC.sign(Tokens.claims("mallory", true)));
            mallory.sendWithSequence("STAFF_CREATE", createPayload(id), 7);
            String answer = mallory.nextText();
            assertFalse(answer.equals(original), "another user's outcome was handed out");
            assertEquals("ALREADY_EXISTS", Json.errorCode(com.google.gson.JsonParser.parseString(answer).getAsJsonObject()),
                    "judged as mallory's own message: the row exists");
        }
        try (WsClient aliceAgain = WsClient.connect(server.wsUri(), clientId)) {
            aliceAgain.ack();
            authenticate(aliceAgain, RSA.sign(Tokens.claims("alice", true)));
            aliceAgain.sendWithSequence("STAFF_CREATE", createPayload(id), 7);
            assertEquals(original, aliceAgain.nextText(), "the same user's retry still gets its original outcome");
        }
    }
}
