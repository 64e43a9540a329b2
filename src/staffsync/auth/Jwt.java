package staffsync.auth;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import staffsync.auth.TokenRejected.Reason;

/**
 * A JWS in compact form ({@code header.payload.signature}), split and decoded but not yet
 * trusted: nothing here is believed until {@link TokenVerifier} has checked the signature.
 *
 * @param signingInput the bytes the signature covers: the first two parts as sent, ASCII
 */
record Jwt(JsonObject header, JsonObject claims, byte[] signingInput, byte[] signature, String alg, String kid) {
    /** Tokens longer than this are refused before any decoding (Supabase's are about 1 KiB). */
    static final int MAX_TOKEN_CHARS = 8 * 1024;
    /** Far more nesting than any real token has; keeps parsing off deep recursion. */
    private static final int MAX_DEPTH = 16;

    static Jwt parse(String token) throws TokenRejected {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejected(Reason.TOO_LARGE, "token is larger than 8 KiB");
        }
        int firstDot = token.indexOf('.');
        int secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
        if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
            throw malformed("token is not a JWT: it must have three dot-separated parts");
        }
        JsonObject header = jsonPart(token.substring(0, firstDot), "header");
        JsonObject claims = jsonPart(token.substring(firstDot + 1, secondDot), "payload");
        byte[] signature = base64Url(token.substring(secondDot + 1), "signature");
        String alg = stringMember(header, "alg");
        if (alg == null) {
            throw new TokenRejected(Reason.ALGORITHM, "token header has no alg");
        }
        if (header.has("crit")) {
            // RFC 7515 4.1.11: extensions the recipient does not understand make the token invalid.
            throw new TokenRejected(Reason.ALGORITHM, "token header names critical extensions (crit), which are not supported");
        }
        byte[] signingInput = token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
        return new Jwt(header, claims, signingInput, signature, alg, stringMember(header, "kid"));
    }

    private static JsonObject jsonPart(String encoded, String part) throws TokenRejected {
        String json = new String(base64Url(encoded, part), StandardCharsets.UTF_8);
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = read(reader, 0);
            if (reader.peek() != JsonToken.END_DOCUMENT || !element.isJsonObject()) {
                throw malformed("token " + part + " is not a JSON object");
            }
            return element.getAsJsonObject();
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw malformed("token " + part + " is not valid JSON");
        }
    }

    /** Reads one value; a duplicate member name is an error (RFC 7515 5.2 allows refusing it). */
    private static JsonElement read(JsonReader in, int depth) throws IOException, TokenRejected {
        if (depth > MAX_DEPTH) {
            throw malformed("token JSON is nested too deeply");
        }
        switch (in.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                in.beginObject();
                while (in.hasNext()) {
                    String name = in.nextName();
                    if (object.has(name)) {
                        throw malformed("token JSON has a duplicate member");
                    }
                    object.add(name, read(in, depth + 1));
                }
                in.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                in.beginArray();
                while (in.hasNext()) {
                    array.add(read(in, depth + 1));
                }
                in.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(in.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new BigDecimal(in.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(in.nextBoolean());
            }
            case NULL -> {
                in.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw malformed("token JSON is not valid");
        }
    }

    private static byte[] base64Url(String encoded, String part) throws TokenRejected {
        if (encoded.isEmpty() && !part.equals("signature")) {
            throw malformed("token " + part + " is empty");
        }
        try {
            return Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw malformed("token " + part + " is not base64url");
        }
    }

    static String stringMember(JsonObject object, String name) {
        JsonElement value = object.get(name);
        return value instanceof JsonPrimitive primitive && primitive.isString() ? primitive.getAsString() : null;
    }

    private static TokenRejected malformed(String message) {
        return new TokenRejected(Reason.MALFORMED, message);
    }
}
