package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.JwksServer;
import staffsync.support.ServerProcess;
import staffsync.support.Tokens;
import staffsync.support.Tokens.Signer;
import staffsync.support.WsClient;

/**
 * Tokens never appear in a log line, an error message, /health, /ready or /metrics, whatever
 * happens to them: accepted, refreshed, forged, expired, another user's, malformed; with every
 * log level on.
 */
class TokenSecrecyTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String get(ServerProcess server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.httpUri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Connects, sends AUTH with each token in turn, returns everything the connection received. */
    private static String authWith(ServerProcess server, String... tokens) {
        StringBuilder received = new StringBuilder();
        try (WsClient client = WsClient.connect(server.wsUri(), "secrecy")) {
            received.append(client.ack());
            for (String token : tokens) {
                client.send("AUTH", "{\"token\":" + Json.quote(token) + "}");
                JsonObject reply = client.next();
                received.append(reply);
                if (Json.type(reply).equals("ERROR")) {
                    client.awaitClose();
                    break;
                }
            }
        }
        return received.toString();
    }

    @Test
    void noTokenReachesLogsErrorsHealthOrMetrics() throws Exception {
        Signer ec = Tokens.es256("secrecy-ec");
        Signer hmac = Tokens.hs256(Tokens.SECRET);
        try (JwksServer jwks = new JwksServer(Tokens.jwks(ec));
             ServerProcess server = ServerProcess.start(Map.of("AUTH_MODE", "jwt", "SUPABASE_JWT_SECRET", Tokens.SECRET,
                     "JWKS_URL", jwks.jwksUrl().toString(), "LOG_LEVEL", "ALL"))) {
            JsonObject expired = Tokens.claims("secrecy-user", true);
            expired.addProperty("exp", Instant.now().getEpochSecond() - 10);
            String good = ec.sign(Tokens.claims("secrecy-user", true));
            String refresh = hmac.sign(Tokens.claims("secrecy-user", false));
            String forged = Tokens.hs256("a-forger's-secret-that-is-long-enough!!").sign(Tokens.claims("x", true));
            String expiredToken = ec.sign(expired);
            String otherUser = ec.sign(Tokens.claims("someone-else", true));
            String unknownKey = Tokens.es256("not-in-the-jwks").sign(Tokens.claims("secrecy-user", true));
            String malformed = good.substring(0, good.length() / 2) + "." + "!!!";
            List<String> tokens = List.of(good, refresh, forged, expiredToken, otherUser, unknownKey, malformed);

            StringBuilder said = new StringBuilder();
            said.append(authWith(server, good, refresh, otherUser));
            said.append(authWith(server, forged));
            said.append(authWith(server, expiredToken));
            said.append(authWith(server, unknownKey));
            said.append(authWith(server, malformed));
            try (WsClient viaUrl = WsClient.connect(java.net.URI.create(server.wsUri() + "?access_token=" + good), "url")) {
                said.append(viaUrl.ack()).append(viaUrl.next());
            }
            said.append(WsClient.refusedStatus(java.net.URI.create(server.wsUri() + "?access_token=" + forged), Map.of()));
            said.append(WsClient.refusedStatus(java.net.URI.create(server.wsUri() + "?access_token=" + expiredToken), Map.of()));
            jwks.fail(503);
            said.append(get(server, "/health")).append(get(server, "/ready")).append(get(server, "/metrics"));
            server.terminate();
            server.awaitExit(15, java.util.concurrent.TimeUnit.SECONDS);
            said.append(server.log());

            String everything = said.toString();
            assertTrue(everything.contains("AUTH_OK") && everything.contains("signature")
                    && everything.contains("token expired") && everything.contains("another user"), "the paths were exercised");
            for (String token : new ArrayList<>(tokens)) {
                assertFalse(everything.contains(token), "a token was shown");
                String[] parts = token.split("\\.");
                for (String part : parts) {
                    if (part.length() > 16) {
                        assertFalse(everything.contains(part), "a part of a token was shown");
                    }
                }
            }
        }
    }
}
