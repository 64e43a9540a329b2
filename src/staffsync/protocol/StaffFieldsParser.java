package staffsync.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates the row fields of a create ({@code payload.staff}, or the payload itself) or an
 * update ({@code payload.changes}). Lengths count Unicode code points, as PROTOCOL.md says, so an
 * emoji is one character. Unknown keys are errors, never dropped silently.
 */
final class StaffFieldsParser {
    enum Mode { CREATE, UPDATE }

    static final int MAX_NAME = 200;
    static final int MAX_TEXT = 200;
    static final int MAX_TYPE = 50;
    /** The database column is a Postgres {@code integer}. */
    static final long MAX_PERIOD = Integer.MAX_VALUE;

    static final Map<String, String> COLUMN_RULES = Map.of(
            "name", "string, 1-" + MAX_NAME + " characters after trimming",
            "position", "string, at most " + MAX_TEXT + " characters",
            "department", "string, at most " + MAX_TEXT + " characters",
            "type", "string, at most " + MAX_TYPE + " characters",
            "period", "integer >= 0");

    private static final List<String> COLUMN_ORDER = List.of("name", "position", "department", "type", "period");
    private static final Set<String> SERVER_MANAGED = Set.of("version", "created_at", "updated_at");

    StaffFields parse(JsonObject object, String where, Mode mode, String staffId) throws ProtocolException {
        for (String key : object.keySet()) {
            if (SERVER_MANAGED.contains(key)) {
                throw MessageParser.validation(where + "." + key + " is managed by the server and cannot be set", staffId);
            }
            if (key.equals("id")) {
                checkId(object.get(key), where, mode, staffId);
            } else if (!COLUMN_RULES.containsKey(key)) {
                throw MessageParser.validation("unknown field '" + key + "' in " + where
                        + " (allowed: id, " + String.join(", ", COLUMN_ORDER) + ")", staffId);
            }
        }
        String name = text(object, "name", where, MAX_NAME, staffId);
        if (name != null) {
            name = name.strip();
            if (!RowText.hasVisibleCharacter(name)) {
                throw MessageParser.validation(where + ".name must contain at least one visible character"
                        + (name.isEmpty() ? "" : " (it holds only spaces, zero-width or other invisible characters)"),
                        staffId);
            }
        } else if (mode == Mode.CREATE) {
            throw MessageParser.validation(where + ".name is required", staffId);
        }
        String position = text(object, "position", where, MAX_TEXT, staffId);
        String department = text(object, "department", where, MAX_TEXT, staffId);
        String type = text(object, "type", where, MAX_TYPE, staffId);
        Long period = period(object, where, staffId);

        List<String> present = new ArrayList<>();
        for (String column : COLUMN_ORDER) {
            if (object.has(column)) {
                present.add(column);
            }
        }
        return new StaffFields(name, position, department, type, period, present);
    }

    /** On update an {@code id} is accepted only when it repeats the row's own id. */
    private static void checkId(JsonElement value, String where, Mode mode, String staffId) throws ProtocolException {
        if (mode == Mode.UPDATE && !(MessageParser.isString(value) && value.getAsString().equals(staffId))) {
            throw MessageParser.validation(where + ".id cannot be changed", staffId);
        }
    }

    private static String text(JsonObject object, String key, String where, int max, String staffId)
            throws ProtocolException {
        JsonElement value = object.get(key);
        if (value == null) {
            return null;
        }
        if (!MessageParser.isString(value)) {
            throw MessageParser.validation(where + "." + key + " must be a string", staffId);
        }
        String text = value.getAsString();
        if (RowText.hasControlCharacter(text)) {
            throw MessageParser.validation(where + "." + key + " " + RowText.CONTROL_CHARACTER_RULE, staffId);
        }
        String measured = key.equals("name") ? text.strip() : text;
        int length = measured.codePointCount(0, measured.length());
        if (length > max) {
            throw MessageParser.validation(
                    where + "." + key + " must be at most " + max + " characters (got " + length + ")", staffId);
        }
        return text;
    }

    private static Long period(JsonObject object, String where, String staffId) throws ProtocolException {
        JsonElement value = object.get("period");
        if (value == null) {
            return null;
        }
        Long number = MessageParser.wholeNumber(value);
        if (number == null || number < 0 || number > MAX_PERIOD) {
            throw MessageParser.validation(where + ".period must be an integer from 0 to " + MAX_PERIOD, staffId);
        }
        return number;
    }
}
