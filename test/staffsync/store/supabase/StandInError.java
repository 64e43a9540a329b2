package staffsync.store.supabase;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/** A PostgREST error response: the status and the {@code {code, details, hint, message}} body. */
final class StandInError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final String details;
    final String hint;

    StandInError(int status, String code, String message, String details, String hint) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
        this.hint = hint;
    }

    JsonObject body() {
        JsonObject body = new JsonObject();
        body.addProperty("code", code);
        add(body, "details", details);
        add(body, "hint", hint);
        body.addProperty("message", getMessage());
        return body;
    }

    private static void add(JsonObject body, String key, String value) {
        if (value == null) {
            body.add(key, JsonNull.INSTANCE);
        } else {
            body.addProperty(key, value);
        }
    }
}
