package staffsync.store.supabase;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;

/**
 * Supabase's key rules in front of PostgREST. Every request needs an {@code apikey} the project
 * knows; an {@code Authorization: Bearer} token, when present, must be a JWT PostgREST can
 * verify, so a secret key ({@code sb_...}, not a JWT) sent there is refused with PGRST301.
 * Stateless.
 */
final class StandInAuth {
    private StandInAuth() {}

    /** The 401 body, or null when the request may pass. */
    static JsonObject check(Headers headers) {
        String apikey = headers.getFirst("apikey");
        if (apikey == null || apikey.isEmpty()) {
            return gatewayError("No API key found in request", "No `apikey` request header or url param was found.");
        }
        if (!apikey.equals(PostgrestStandIn.LEGACY_KEY) && !apikey.equals(PostgrestStandIn.SECRET_KEY)) {
            return gatewayError("Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization == null) {
            return null;
        }
        String token = authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()) : authorization;
        if (token.startsWith("sb_")) {
            return jwtError("Expected 3 parts in JWT; got 1");
        }
        if (!token.equals(PostgrestStandIn.LEGACY_KEY)) {
            return jwtError("JWSError JWSInvalidSignature");
        }
        return null;
    }

    private static JsonObject gatewayError(String message, String hint) {
        JsonObject body = new JsonObject();
        body.addProperty("message", message);
        body.addProperty("hint", hint);
        return body;
    }

    private static JsonObject jwtError(String message) {
        JsonObject body = new JsonObject();
        body.addProperty("code", "PGRST301");
        body.add("details", JsonNull.INSTANCE);
        body.add("hint", JsonNull.INSTANCE);
        body.addProperty("message", message);
        return body;
    }
}
