package staffsync.auth;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import staffsync.auth.TokenRejected.Reason;

/**
 * The claims an access token must carry once its signature is good (PROTOCOL.md
 * "Authentication"): {@code exp} present and not passed (no leeway), {@code nbf} and {@code iat}
 * not in the future (60 s leeway for clocks), {@code aud} containing the audience, {@code iss}
 * equal to the issuer when one is configured, a {@code sub}; and the role it grants.
 *
 * @param issuer      the required {@code iss}, or null to accept any
 * @param editorClaim the path (split at dots) of the claim that makes an editor when it is "editor"
 */
record ClaimRules(String audience, String issuer, List<String> editorClaim) {
    static final long CLOCK_LEEWAY_SECONDS = 60;
    static final String SERVICE_ROLE = "service_role";
    static final String EDITOR = "editor";
    /** Year 10000: a later exp is not a time this server can hold. */
    private static final BigDecimal LATEST_SECONDS = BigDecimal.valueOf(253_402_300_800L);

    ClaimRules {
        editorClaim = List.copyOf(editorClaim);
    }

    static List<String> claimPath(String dotted) {
        return List.of(dotted.split("\\."));
    }

    VerifiedToken check(JsonObject claims, long nowMillis) throws TokenRejected {
        BigDecimal exp = numericDate(claims, "exp");
        if (exp == null) {
            throw new TokenRejected(Reason.CLAIMS, "token has no exp (expiry)");
        }
        long expMillis = exp.movePointRight(3).longValue();
        if (expMillis <= nowMillis) {
            throw new TokenRejected(Reason.EXPIRED, "token expired");
        }
        long latestStartMillis = nowMillis + CLOCK_LEEWAY_SECONDS * 1000;
        for (String name : new String[] {"nbf", "iat"}) {
            BigDecimal value = numericDate(claims, name);
            if (value != null && value.movePointRight(3).longValue() > latestStartMillis) {
                throw new TokenRejected(Reason.CLAIMS, "token " + name + " is in the future");
            }
        }
        if (!audienceIncludes(claims.get("aud"))) {
            throw new TokenRejected(Reason.CLAIMS, "token audience (aud) does not include '" + audience + "'");
        }
        if (issuer != null && !issuer.equals(Jwt.stringMember(claims, "iss"))) {
            throw new TokenRejected(Reason.CLAIMS, "token issuer (iss) is not " + issuer);
        }
        String subject = Jwt.stringMember(claims, "sub");
        if (subject == null || subject.isEmpty()) {
            throw new TokenRejected(Reason.CLAIMS, "token has no sub (the user it was issued to)");
        }
        return new VerifiedToken(subject, roleOf(claims), Instant.ofEpochMilli(expMillis));
    }

    private Role roleOf(JsonObject claims) {
        if (SERVICE_ROLE.equals(Jwt.stringMember(claims, "role"))) {
            return Role.EDITOR;
        }
        JsonElement value = claims;
        for (String step : editorClaim) {
            if (!(value instanceof JsonObject object)) {
                return Role.READER;
            }
            value = object.get(step);
        }
        return value instanceof JsonPrimitive primitive && primitive.isString() && primitive.getAsString().equals(EDITOR)
                ? Role.EDITOR : Role.READER;
    }

    private boolean audienceIncludes(JsonElement aud) {
        if (aud instanceof JsonPrimitive primitive && primitive.isString()) {
            return primitive.getAsString().equals(audience);
        }
        if (aud instanceof JsonArray array) {
            for (JsonElement entry : array) {
                if (entry instanceof JsonPrimitive primitive && primitive.isString() && primitive.getAsString().equals(audience)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A NumericDate claim (seconds since the epoch, fractions allowed), or null when absent. */
    private static BigDecimal numericDate(JsonObject claims, String name) throws TokenRejected {
        JsonElement value = claims.get(name);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isNumber()) {
            throw new TokenRejected(Reason.CLAIMS, "token " + name + " is not a number of seconds");
        }
        BigDecimal seconds = primitive.getAsBigDecimal();
        if (seconds.signum() < 0 || seconds.compareTo(LATEST_SECONDS) >= 0) {
            throw new TokenRejected(Reason.CLAIMS, "token " + name + " is not a valid time");
        }
        return seconds;
    }
}
