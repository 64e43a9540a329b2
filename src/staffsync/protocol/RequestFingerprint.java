package staffsync.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes a resend "the same message" (PROTOCOL.md "Ordering and sync"): its {@code type}
 * and {@code payload}. The retry table keeps this next to each remembered outcome, so that a
 * (clientId, sequenceNumber) reused for another change gets {@code SEQUENCE_REUSED} instead of
 * someone else's old answer while its own change is silently dropped.
 *
 * <p>SHA-256 over the type and the payload written canonically (object keys sorted, no white
 * space; strings and numbers as written), so a client that serialises the same object with its
 * keys in another order still matches. The first 128 bits, as hex. Stateless.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {}

    public static String of(String type, JsonObject payload) {
        StringBuilder canonical = new StringBuilder(256).append(type).append('\n');
        write(payload, canonical);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void write(JsonElement value, StringBuilder out) {
        if (value instanceof JsonObject object) {
            Map<String, JsonElement> sorted = new TreeMap<>();
            object.entrySet().forEach(member -> sorted.put(member.getKey(), member.getValue()));
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonElement> member : sorted.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                out.append(new JsonPrimitive(member.getKey())).append(':');
                write(member.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof JsonArray array) {
            out.append('[');
            for (int i = 0; i < array.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(array.get(i), out);
            }
            out.append(']');
        } else {
            out.append(value); // a primitive or null, as JSON text
        }
    }
}
