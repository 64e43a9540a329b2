package staffsync.store.supabase;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * PostgREST (or the gateway in front of it) answered with an error status.
 *
 * <p>Two shapes arrive: PostgREST's own JSON error {@code {code, details, hint, message}}, where
 * {@code code} is a PostgreSQL SQLSTATE or a {@code PGRSTxxx} code and the statement is known to
 * have been rolled back; and a gateway's answer (502/503/504, often HTML or plain text, or JSON
 * without {@code code}) that says nothing about whether a write reached the database.
 *
 * <p>The text is built from the response body only, after {@link ApiKey#redact}, so it can be
 * logged and shown; it never contains the key.
 */
public final class PostgrestException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BODY_IN_MESSAGE = 200;

    private final int status;
    /** SQLSTATE or PGRSTxxx; null when the body was not a PostgREST error (a gateway answered). */
    private final String code;
    private final String detail;

    PostgrestException(int status, String code, String detail) {
        super("HTTP " + status + (code != null ? " " + code : "") + ": " + detail);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    /** Reads an error response; {@code body} may be anything, including empty or HTML. */
    static PostgrestException fromResponse(int status, String body, ApiKey key) {
        String text = key.redact(body == null ? "" : body.strip());
        JsonObject json = parseObject(text);
        if (json != null && json.has("message")) {
            String code = string(json, "code");
            StringBuilder detail = new StringBuilder(string(json, "message"));
            appendIfPresent(detail, "details", string(json, "details"));
            appendIfPresent(detail, "hint", string(json, "hint"));
            return new PostgrestException(status, code, shorten(detail.toString()));
        }
        String shown = text.isEmpty() ? "(empty body)" : shorten(text.replaceAll("\\s+", " "));
        return new PostgrestException(status, null, shown);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The human part: PostgREST's message, details and hint, or the gateway's body. */
    public String detail() {
        return detail;
    }

    /** True when PostgREST itself answered, so the statement ran (or was refused) and rolled back. */
    public boolean fromPostgrest() {
        return code != null;
    }

    public boolean isCode(String expected) {
        return expected.equals(code);
    }

    private static JsonObject parseObject(String text) {
        try {
            JsonElement element = JsonParser.parseString(text);
            return element.isJsonObject() ? element.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    private static String string(JsonObject json, String key) {
        JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? null
                : value.isJsonPrimitive() ? value.getAsString() : value.toString();
    }

    private static void appendIfPresent(StringBuilder text, String label, String value) {
        if (value != null && !value.isBlank()) {
            text.append(" (").append(label).append(": ").append(value).append(')');
        }
    }

    private static String shorten(String text) {
        return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}
