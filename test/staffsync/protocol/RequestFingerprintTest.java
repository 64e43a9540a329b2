package staffsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class RequestFingerprintTest {
    static String of(String type, String payload) {
        return RequestFingerprint.of(type, JsonParser.parseString(payload).getAsJsonObject());
    }

    @Test
    void theSameObjectWithItsKeysInAnotherOrderHasTheSameFingerprint() {
        assertEquals(of("STAFF_UPDATE", "{\"staffId\":\"a\",\"changes\":{\"name\":\"N\",\"period\":1}}"),
                of("STAFF_UPDATE", "{ \"changes\": {\"period\":1, \"name\":\"N\"}, \"staffId\":\"a\" }"));
    }

    @Test
    void anyOtherValueOrTypeChangesTheFingerprint() {
        String update = of("STAFF_UPDATE", "{\"staffId\":\"a\",\"changes\":{\"name\":\"N\"}}");
        assertNotEquals(update, of("STAFF_UPDATE", "{\"staffId\":\"a\",\"changes\":{\"name\":\"M\"}}"));
        assertNotEquals(update, of("STAFF_UPDATE", "{\"staffId\":\"a\",\"changes\":{\"name\":\"N\"},\"version\":1}"));
        assertNotEquals(update, of("STAFF_DELETE", "{\"staffId\":\"a\",\"changes\":{\"name\":\"N\"}}"));
        assertNotEquals(of("P", "{\"a\":\"1\"}"), of("P", "{\"a\":1}"), "a string is not a number");
    }

    @Test
    void onlyChangesWithASequenceNumberCarryOne() throws ProtocolException {
        MessageParser parser = new MessageParser();
        ClientEnvelope numbered = parser.parse(
                "{\"type\":\"STAFF_DELETE\",\"payload\":{\"staffId\":\"a\"},\"clientId\":\"c\",\"sequenceNumber\":1}");
        assertEquals(of("STAFF_DELETE", "{\"staffId\":\"a\"}"), numbered.fingerprint());
        assertNull(parser.parse("{\"type\":\"STAFF_DELETE\",\"payload\":{\"staffId\":\"a\"},\"clientId\":\"c\"}").fingerprint());
        assertNull(parser.parse("{\"type\":\"SYNC_REQUEST\",\"payload\":{},\"clientId\":\"c\",\"sequenceNumber\":2}")
                .fingerprint());
    }
}
