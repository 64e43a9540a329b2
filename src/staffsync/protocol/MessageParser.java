package staffsync.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.UUID;
import staffsync.protocol.ClientRequest.Auth;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.Ping;
import staffsync.protocol.ClientRequest.SyncAllPeriods;
import staffsync.protocol.ClientRequest.SyncRequest;
import staffsync.protocol.ClientRequest.UpdateStaff;

/**
 * Turns one text frame into a {@link ClientEnvelope}, or a {@link ProtocolException} that says
 * exactly what is wrong. Stateless and thread-safe: it runs on the WebSocket worker threads.
 *
 * <p>Envelope problems are {@code INVALID_MESSAGE}, an unknown {@code type} is {@code UNKNOWN_TYPE},
 * and problems inside the payload are {@code VALIDATION_FAILED}.
 */
public final class MessageParser {
    static final int MAX_CLIENT_ID_LENGTH = 128;
    static final int MAX_STAFF_ID_LENGTH = 128;

    private final StaffFieldsParser fieldsParser = new StaffFieldsParser();

    public ClientEnvelope parse(String text) throws ProtocolException {
        JsonObject root = parseObject(text);
        Long sequenceNumber = null;
        String type = null;
        try {
            sequenceNumber = optionalNonNegative(root, "sequenceNumber", ErrorCode.INVALID_MESSAGE, "");
            type = requiredString(root, "type");
            String clientId = requiredString(root, "clientId");
            int idLength = clientId.codePointCount(0, clientId.length());
            if (idLength < 1 || idLength > MAX_CLIENT_ID_LENGTH) {
                throw invalid("clientId must be 1-" + MAX_CLIENT_ID_LENGTH + " characters");
            }
            JsonElement timestamp = root.get("timestamp");
            if (timestamp != null && !timestamp.isJsonNull() && !isString(timestamp)) {
                throw invalid("timestamp must be a string");
            }
            JsonElement payload = root.get("payload");
            if (payload == null || payload.isJsonNull()) {
                throw invalid("payload is required (use {} when there is nothing to send)");
            }
            ClientRequest request = parseRequest(type, payload);
            String fingerprint = sequenceNumber != null && request instanceof ClientRequest.Mutation
                    ? RequestFingerprint.of(type, payload.getAsJsonObject()) : null;
            return new ClientEnvelope(type, clientId, sequenceNumber, request, fingerprint);
        } catch (ProtocolException e) {
            throw e.about(sequenceNumber, type);
        }
    }

    private ClientRequest parseRequest(String type, JsonElement payload) throws ProtocolException {
        if (!payload.isJsonObject()) {
            throw invalid("payload must be a JSON object (use {} when there is nothing to send)");
        }
        JsonObject body = payload.getAsJsonObject();
        MessageType known = MessageType.fromWire(type);
        if (known == null) {
            throw unknownType(type);
        }
        return switch (known) {
            case PING -> new Ping(body.toString());
            case STAFF_CREATE -> parseCreate(body);
            case STAFF_UPDATE -> parseUpdate(body);
            case STAFF_DELETE -> parseDelete(body);
            case SYNC_REQUEST -> new SyncRequest(
                    optionalNonNegative(body, "period", ErrorCode.VALIDATION_FAILED, "payload."),
                    optionalNonNegative(body, "sinceSequence", ErrorCode.VALIDATION_FAILED, "payload."),
                    optionalEpoch(body));
            case SYNC_ALL_PERIODS_REQUEST -> new SyncAllPeriods();
            case AUTH -> parseAuth(body);
            // The server's own types are not requests.
            case SYNC_RESPONSE, SYNC_ALL_PERIODS_RESPONSE, PONG, CONNECTION_ACK, ERROR, AUTH_OK -> throw unknownType(type);
        };
    }

    private static ProtocolException unknownType(String type) {
        return new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + type + "'");
    }

    /**
     * Two shapes (PROTOCOL.md revision 1.1): {@code {"staff": {row}}}, or the row's fields as the
     * payload itself, which is what the original app's hook sends. The same row rules apply.
     */
    private CreateStaff parseCreate(JsonObject body) throws ProtocolException {
        JsonObject row = body;
        String where = "payload";
        JsonElement staff = body.get("staff");
        if (staff != null) {
            if (!staff.isJsonObject()) {
                throw validation("payload.staff must be an object with the new row's fields", null);
            }
            row = staff.getAsJsonObject();
            where = "payload.staff";
        }
        String id = null;
        JsonElement idElement = row.get("id");
        if (idElement != null) {
            id = staffId(idElement, where + ".id");
        }
        StaffFields fields = fieldsParser.parse(row, where, StaffFieldsParser.Mode.CREATE, id);
        return new CreateStaff(id != null ? id : UUID.randomUUID().toString(), fields);
    }

    private UpdateStaff parseUpdate(JsonObject body) throws ProtocolException {
        String staffId = staffId(body.get("staffId"), "payload.staffId");
        JsonElement changes = body.get("changes");
        if (changes == null || !changes.isJsonObject()) {
            throw validation("payload.changes must be an object of the fields to change", staffId);
        }
        Long version = optionalNonNegative(body, "version", ErrorCode.VALIDATION_FAILED, "payload.");
        StaffFields fields = fieldsParser.parse(
                changes.getAsJsonObject(), "payload.changes", StaffFieldsParser.Mode.UPDATE, staffId);
        if (fields.present().isEmpty()) {
            throw validation("payload.changes must change at least one field", staffId);
        }
        return new UpdateStaff(staffId, fields, version);
    }

    private DeleteStaff parseDelete(JsonObject body) throws ProtocolException {
        String staffId = staffId(body.get("staffId"), "payload.staffId");
        Long version = optionalNonNegative(body, "version", ErrorCode.VALIDATION_FAILED, "payload.");
        return new DeleteStaff(staffId, version);
    }

    private static Auth parseAuth(JsonObject body) throws ProtocolException {
        JsonElement token = body.get("token");
        if (!isString(token) || token.getAsString().isEmpty()) {
            throw validation("payload.token must be the access token, as a string", null);
        }
        return new Auth(token.getAsString());
    }

    // ---- small readers; each names the field it complains about ----

    private static JsonObject parseObject(String text) throws ProtocolException {
        JsonElement element = StrictJson.parse(text);
        if (!element.isJsonObject()) {
            throw invalid("message must be a JSON object");
        }
        return element.getAsJsonObject();
    }

    private static String requiredString(JsonObject object, String key) throws ProtocolException {
        JsonElement value = object.get(key);
        if (value == null || value.isJsonNull()) {
            throw invalid(key + " is required");
        }
        if (!isString(value)) {
            throw invalid(key + " must be a string");
        }
        return value.getAsString();
    }

    private static String staffId(JsonElement value, String where) throws ProtocolException {
        if (value == null || value.isJsonNull()) {
            throw validation(where + " is required", null);
        }
        if (!isString(value)) {
            throw validation(where + " must be a string", null);
        }
        String id = value.getAsString();
        int length = id.codePointCount(0, id.length());
        if (id.isBlank() || length > MAX_STAFF_ID_LENGTH) {
            throw validation(where + " must be 1-" + MAX_STAFF_ID_LENGTH + " characters, not blank", null);
        }
        if (RowText.hasControlCharacter(id)) {
            throw validation(where + " " + RowText.CONTROL_CHARACTER_RULE, null);
        }
        return id;
    }

    private static String optionalEpoch(JsonObject body) throws ProtocolException {
        JsonElement value = body.get("epoch");
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!isString(value)) {
            throw validation("payload.epoch must be a string", null);
        }
        return value.getAsString();
    }

    /** A non-negative whole number in the long range, or null when absent. */
    static Long optionalNonNegative(JsonObject object, String key, ErrorCode code, String prefix)
            throws ProtocolException {
        JsonElement value = object.get(key);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        Long number = wholeNumber(value);
        if (number == null || number < 0) {
            throw new ProtocolException(code, prefix + key + " must be a non-negative integer");
        }
        return number;
    }

    /** The value as a long when it is a JSON number without a fraction, else null. */
    static Long wholeNumber(JsonElement value) {
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isNumber()) {
            return null;
        }
        try {
            BigDecimal decimal = primitive.getAsBigDecimal();
            return decimal.stripTrailingZeros().scale() > 0 ? null : decimal.longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    static boolean isString(JsonElement value) {
        return value instanceof JsonPrimitive primitive && primitive.isString();
    }

    private static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_MESSAGE, message);
    }

    static ProtocolException validation(String message, String staffId) {
        return new ProtocolException(ErrorCode.VALIDATION_FAILED, message, staffId);
    }
}
