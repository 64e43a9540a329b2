package staffsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;

class MessageParserTest {
    final MessageParser parser = new MessageParser();

    private ProtocolException refused(String text) {
        return assertThrows(ProtocolException.class, () -> parser.parse(text));
    }

    @Test
    void aCreateFillsDefaultsForAbsentFields() throws Exception {
        ClientEnvelope envelope = parser.parse("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "x", "name": " Ann "}}, "clientId": "c"}""");
        CreateStaff create = assertInstanceOf(CreateStaff.class, envelope.request());
        StaffRow row = create.fields().toNewRow(create.staffId(), "t");
        assertEquals(new StaffRow("x", "Ann", "", "", "regular", 0, 1, "t", "t"), row);
        assertNull(envelope.sequenceNumber());
    }

    @Test
    void anUpdateKeepsOnlyTheFieldsSentInColumnOrder() throws Exception {
        ClientEnvelope envelope = parser.parse("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "x", "changes": {"period": 2, "name": "B"},
                 "version": 3}, "clientId": "c", "sequenceNumber": 9}""");
        UpdateStaff update = assertInstanceOf(UpdateStaff.class, envelope.request());
        assertEquals(List.of("name", "period"), update.changes().present());
        assertEquals(3L, update.expectedVersion());
        assertEquals(9L, envelope.sequenceNumber());
    }

    @Test
    void wholeNumbersWrittenWithAFractionOrExponentAreAccepted() throws Exception {
        UpdateStaff update = (UpdateStaff) parser.parse("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "x", "changes": {"period": 2.0},
                 "version": 1e1}, "clientId": "c"}""").request();
        assertEquals(2L, update.changes().period());
        assertEquals(10L, update.expectedVersion());
    }

    @Test
    void textAfterTheJsonValueIsRefused() {
        assertEquals(ErrorCode.INVALID_MESSAGE, refused("""
                {"type": "PING", "payload": {}, "clientId": "c"} x""").code());
    }

    @Test
    void anErrorAnswersTheSequenceNumberWhenTheEnvelopeHadOne() {
        ProtocolException error = refused("""
                {"type": "NOPE", "payload": {}, "clientId": "c", "sequenceNumber": 5}""");
        assertEquals(ErrorCode.UNKNOWN_TYPE, error.code());
        assertEquals(5L, error.inReplyTo());
    }

    @Test
    void aPeriodAbovePostgresIntegerRangeIsRefused() {
        assertEquals(ErrorCode.VALIDATION_FAILED, refused("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "a", "period": 2147483648}},
                 "clientId": "c"}""").code());
    }

    @Test
    void aServerOnlyTypeFromAClientIsUnknownType() {
        assertEquals(ErrorCode.UNKNOWN_TYPE,
                refused("""
                        {"type": "SYNC_RESPONSE", "payload": {}, "clientId": "c"}""").code());
    }

    @Test
    void pingEchoesItsObjectPayloadAsWritten() throws Exception {
        ClientRequest.Ping ping = (ClientRequest.Ping) parser.parse("""
                {"type": "PING", "payload": {"list": [1, "two"], "n": 1e3}, "clientId": "c"}""").request();
        assertEquals("{\"list\":[1,\"two\"],\"n\":1e3}", ping.payloadJson());
    }

    @Test
    void pingWithAPayloadThatIsNotAnObjectIsInvalidMessage() {
        for (String payload : List.of("[1,\"two\"]", "\"text\"", "7", "true")) {
            assertEquals(ErrorCode.INVALID_MESSAGE,
                    refused("""
                            {"type": "PING", "payload": %s, "clientId": "c"}""".formatted(payload)).code(), payload);
        }
    }

    // ---- strict JSON ----

    @Test
    void aDuplicateEnvelopeKeyIsInvalidMessageEvenWhenTheLastWouldBeValid() {
        ProtocolException error = refused("""
                {"type": "PING", "type": "STAFF_DELETE", "payload": {"staffId": "x"}, "clientId": "c"}""");
        assertEquals(ErrorCode.INVALID_MESSAGE, error.code());
        assertEquals("duplicate key 'type' in the message: each key may appear once", error.getMessage());
    }

    @Test
    void aDuplicateKeyDeepInsideThePayloadIsInvalidMessageAndNamesItsPlace() {
        ProtocolException error = refused("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "name": "B"}}, "clientId": "c"}""");
        assertEquals(ErrorCode.INVALID_MESSAGE, error.code());
        assertTrue(error.getMessage().contains("'name' in payload.staff"), error.getMessage());
    }

    @Test
    void theSameKeyInTwoDifferentObjectsIsNoDuplicate() throws Exception {
        parser.parse("""
                {"type": "PING", "payload": {"a": {"k": 1}, "b": {"k": 2}, "list": [{"k": 1}, {"k": 2}]},
                 "clientId": "c"}""");
    }

    @Test
    void aLoneSurrogateInAStringIsInvalidMessage() {
        ProtocolException error = refused("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":"
                + "{\"id\":\"a\\ud800\",\"name\":\"A\"}},\"clientId\":\"c\"}");
        assertEquals(ErrorCode.INVALID_MESSAGE, error.code());
        assertTrue(error.getMessage().contains("payload.staff.id") && error.getMessage().contains("lone surrogate"),
                error.getMessage());
    }

    @Test
    void aLoneLowSurrogateOrOneInAKeyOrAnArrayIsInvalidMessageToo() {
        for (String payload : List.of("{\"t\":\"\\udc00x\"}", "{\"\\ud800\":1}", "{\"l\":[\"ok\",\"\\udfff\"]}",
                "{\"t\":\"\\ude00\\ud83d\"}")) {
            assertEquals(ErrorCode.INVALID_MESSAGE,
                    refused("""
                            {"type": "PING", "payload": %s, "clientId": "c"}""".formatted(payload)).code(), payload);
        }
    }

    @Test
    void aSurrogatePairIsOneCharacterAndWelcome() throws Exception {
        CreateStaff create = (CreateStaff) parser.parse("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":"
                + "{\"name\":\"\\ud83d\\ude00 Ada\"}},\"clientId\":\"c\"}").request();
        assertEquals("\uD83D\uDE00 Ada", create.fields().name());
    }

    // ---- row text ----

    @Test
    void controlCharactersInAnyRowStringAreValidationFailed() {
        for (String field : List.of("name", "position", "department", "type")) {
            for (String control : List.of("\\u0000", "\\u0001", "\\n", "\\t", "\\u001f", "\\u007f")) {
                String others = field.equals("name") ? "" : "\"name\":\"A\",";
                ProtocolException error = refused("""
                        {"type": "STAFF_CREATE", "payload": {"staff": {%s"%s": "x%sy"}}, "clientId": "c"}"""
                        .formatted(others, field, control));
                assertEquals(ErrorCode.VALIDATION_FAILED, error.code(), field + " " + control);
                assertTrue(error.getMessage().contains("control characters"), error.getMessage());
            }
        }
    }

    @Test
    void aControlCharacterInAnIdIsValidationFailed() {
        assertEquals(ErrorCode.VALIDATION_FAILED, refused("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":"
                + "{\"id\":\"a\\u0000\",\"name\":\"A\"}},\"clientId\":\"c\"}").code());
        assertEquals(ErrorCode.VALIDATION_FAILED, refused("{\"type\":\"STAFF_DELETE\",\"payload\":"
                + "{\"staffId\":\"a\\u0007\"},\"clientId\":\"c\"}").code());
    }

    @Test
    void aNameWithNoVisibleCharacterIsValidationFailed() {
        // no-break space, zero-width space, word joiner, BOM, Hangul filler, Braille blank, a lone combining accent
        for (String invisible : List.of("\\u00a0", "\\u200b\\u200b", "\\u2060", "\\ufeff", "\\u3164", "\\u2800",
                "\\u0301", " \\u200d ")) {
            ProtocolException error = refused("""
                    {"type": "STAFF_CREATE", "payload": {"staff": {"name": "%s"}}, "clientId": "c"}"""
                    .formatted(invisible));
            assertEquals(ErrorCode.VALIDATION_FAILED, error.code(), invisible);
            assertTrue(error.getMessage().contains("visible"), error.getMessage());
        }
    }

    @Test
    void aNameWithOneVisibleCharacterAmongInvisibleOnesIsAccepted() throws Exception {
        for (String name : List.of("\\u200bA", "\\u00e9", "e\\u0301", "\\u674e", "\\ud83d\\ude00")) {
            parser.parse("""
                    {"type": "STAFF_CREATE", "payload": {"staff": {"name": "%s"}}, "clientId": "c"}"""
                    .formatted(name));
        }
    }

    // ---- the original app's flat create ----

    @Test
    void aCreateMayCarryTheRowFieldsDirectlyAsThePayload() throws Exception {
        CreateStaff create = (CreateStaff) parser.parse("""
                {"type": "STAFF_CREATE", "payload": {"name": "Ann", "position": "Nurse", "department": "ICU",
                 "type": "part-time", "period": 3},
                 "timestamp": "2026-12-01T08:00:00.000Z", "clientId": "c"}""").request();
        StaffRow row = create.fields().toNewRow(create.staffId(), "t");
        assertEquals(new StaffRow(create.staffId(), "Ann", "Nurse", "ICU", "part-time", 3, 1, "t", "t"), row);
        UUID.fromString(create.staffId());
    }

    @Test
    void aFlatCreateFollowsTheSameRowRules() {
        ProtocolException unknown = refused("""
                {"type": "STAFF_CREATE", "payload": {"name": "Ann", "salary": 1}, "clientId": "c"}""");
        assertEquals(ErrorCode.VALIDATION_FAILED, unknown.code());
        assertTrue(unknown.getMessage().contains("'salary' in payload "), unknown.getMessage());
        assertEquals(ErrorCode.VALIDATION_FAILED,
                refused("""
                        {"type": "STAFF_CREATE", "payload": {"position": "x"}, "clientId": "c"}""").code());
        assertEquals(ErrorCode.VALIDATION_FAILED,
                refused("""
                        {"type": "STAFF_CREATE", "payload": {"name": "A", "version": 2}, "clientId": "c"}""").code());
    }

    @Test
    void aStaffKeyThatIsNotAnObjectIsValidationFailed() {
        assertEquals(ErrorCode.VALIDATION_FAILED,
                refused("""
                        {"type": "STAFF_CREATE", "payload": {"staff": "Ann"}, "clientId": "c"}""").code());
    }
}
