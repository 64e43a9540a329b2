package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.RawWebSocket;
import staffsync.support.SharedServer;

/**
 * PROTOCOL.md "Limits and closing", for frames a well-behaved client library never sends: an
 * unmasked client frame closes with 1002, and the size bound holds for a whole message however
 * it is fragmented.
 */
class InboundFramesTest {
    private static final int MAX_MESSAGE_BYTES = 4096;

    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of("MAX_MESSAGE_BYTES", String.valueOf(MAX_MESSAGE_BYTES)));

    private static final String PING = "{\"type\":\"PING\",\"payload\":{\"n\":1},\"clientId\":\"raw\"}";

    private static RawWebSocket openAndAcknowledged() throws IOException {
        RawWebSocket raw = RawWebSocket.open(server.wsPort(), "/staff-sync");
        assertTrue(raw.nextText().contains("CONNECTION_ACK"));
        return raw;
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() throws IOException {
        try (RawWebSocket raw = openAndAcknowledged()) {
            raw.sendFrame(true, RawWebSocket.TEXT, PING.getBytes(StandardCharsets.UTF_8), false);
            assertEquals(1002, raw.awaitCloseCode());
        }
    }

    @Test
    void aMessageInSeveralFragmentsWithinTheBoundIsDelivered() throws IOException {
        byte[] message = PING.getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket raw = openAndAcknowledged()) {
            raw.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(message, 0, 10), true);
            raw.sendFrame(false, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(message, 10, 20), true);
            raw.sendFrame(true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(message, 20, message.length), true);
            assertTrue(raw.nextText().contains("\"PONG\""));
        }
    }

    @Test
    void fragmentsPassingTheBoundTogetherCloseWith1009BeforeTheMessageEnds() throws IOException {
        byte[] fragment = "x".repeat(1500).getBytes(StandardCharsets.UTF_8);
        try (RawWebSocket raw = openAndAcknowledged()) {
            raw.sendFrame(false, RawWebSocket.TEXT, fragment, true);
            raw.sendFrame(false, RawWebSocket.CONTINUATION, fragment, true);
            // 4500 bytes so far, every frame well under the bound, and no final frame ever sent.
            raw.sendFrame(false, RawWebSocket.CONTINUATION, fragment, true);
            assertEquals(1009, raw.awaitCloseCode());
        }
    }

    @Test
    void aConnectionThatBrokeTheProtocolDoesNotDisturbOthers() throws IOException {
        try (RawWebSocket rude = openAndAcknowledged(); RawWebSocket polite = openAndAcknowledged()) {
            rude.sendFrame(true, RawWebSocket.TEXT, PING.getBytes(StandardCharsets.UTF_8), false);
            assertEquals(1002, rude.awaitCloseCode());
            polite.sendText(PING);
            assertTrue(polite.nextText().contains("\"PONG\""));
        }
    }
}
