package staffsync.support;

import com.google.gson.JsonObject;

/** Small readers for test assertions. */
public final class Json {
    private Json() {}

    public static String type(JsonObject message) {
        return message.get("type").getAsString();
    }

    public static JsonObject payload(JsonObject message) {
        return message.getAsJsonObject("payload");
    }

    public static long seq(JsonObject message) {
        return message.get("sequenceNumber").getAsLong();
    }

    public static String errorCode(JsonObject message) {
        if (!type(message).equals("ERROR")) {
            throw new AssertionError("expected an ERROR, got " + message);
        }
        return payload(message).get("code").getAsString();
    }

    /** Escapes a Java string as a JSON string literal. */
    public static String quote(String text) {
        return new com.google.gson.JsonPrimitive(text).toString();
    }
}
