package staffsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
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
        ClientEnvelope envelope = parser.parse(
                "{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":{\"id\":\"x\",\"name\":\" Ann \"}},\"clientId\":\"c\"}");
        CreateStaff create = assertInstanceOf(CreateStaff.class, envelope.request());
        StaffRow row = create.fields().toNewRow(create.staffId(), "t");
        assertEquals(new StaffRow("x", "Ann", "", "", "regular", 0, 1, "t", "t"), row);
        assertNull(envelope.sequenceNumber());
    }

    @Test
    void anUpdateKeepsOnlyTheFieldsSentInColumnOrder() throws Exception {
        ClientEnvelope envelope = parser.parse("{\"type\":\"STAFF_UPDATE\",\"payload\":{\"staffId\":\"x\","
                + "\"changes\":{\"period\":2,\"name\":\"B\"},\"version\":3},\"clientId\":\"c\",\"sequenceNumber\":9}");
        UpdateStaff update = assertInstanceOf(UpdateStaff.class, envelope.request());
        assertEquals(List.of("name", "period"), update.changes().present());
        assertEquals(3L, update.expectedVersion());
        assertEquals(9L, envelope.sequenceNumber());
    }

    @Test
    void wholeNumbersWrittenWithAFractionOrExponentAreAccepted() throws Exception {
        UpdateStaff update = (UpdateStaff) parser.parse("{\"type\":\"STAFF_UPDATE\",\"payload\":{\"staffId\":\"x\","
                + "\"changes\":{\"period\":2.0},\"version\":1e1},\"clientId\":\"c\"}").request();
        assertEquals(2L, update.changes().period());
        assertEquals(10L, update.expectedVersion());
    }

    @Test
    void textAfterTheJsonValueIsRefused() {
        assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"PING\",\"payload\":{},\"clientId\":\"c\"} x").code());
    }

    @Test
    void anErrorAnswersTheSequenceNumberWhenTheEnvelopeHadOne() {
        ProtocolException error = refused("{\"type\":\"NOPE\",\"payload\":{},\"clientId\":\"c\",\"sequenceNumber\":5}");
        assertEquals(ErrorCode.UNKNOWN_TYPE, error.code());
        assertEquals(5L, error.inReplyTo());
    }

    @Test
    void aPeriodAbovePostgresIntegerRangeIsRefused() {
        assertEquals(ErrorCode.VALIDATION_FAILED, refused("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":"
                + "{\"name\":\"a\",\"period\":2147483648}},\"clientId\":\"c\"}").code());
    }

    @Test
    void aServerOnlyTypeFromAClientIsUnknownType() {
        assertEquals(ErrorCode.UNKNOWN_TYPE,
                refused("{\"type\":\"SYNC_RESPONSE\",\"payload\":{},\"clientId\":\"c\"}").code());
    }

    @Test
    void pingAcceptsAnyPayloadValue() throws Exception {
        ClientRequest.Ping ping = (ClientRequest.Ping) parser.parse(
                "{\"type\":\"PING\",\"payload\":[1,\"two\"],\"clientId\":\"c\"}").request();
        assertEquals("[1,\"two\"]", ping.payloadJson());
    }
}
