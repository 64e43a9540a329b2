package staffsync.ws;

import java.nio.charset.StandardCharsets;
import staffsync.hub.Frame;
import staffsync.hub.FrameEncoder;

/**
 * Encodes a server-to-client WebSocket text frame (RFC 6455 section 5.2) once, so a broadcast
 * shares the same bytes across every connection. Server frames are never masked, which is
 * what makes the bytes identical for every receiver.
 */
public final class TextFrames implements FrameEncoder {
    private static final int FIN_TEXT = 0x81; // FIN bit + opcode 1 (text)

    @Override
    public Frame encode(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int headerLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] wire = new byte[headerLength + length];
        wire[0] = (byte) FIN_TEXT;
        if (length < 126) {
            wire[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            wire[1] = 126;
            wire[2] = (byte) (length >>> 8);
            wire[3] = (byte) length;
        } else {
            wire[1] = 127;
            long longLength = length;
            for (int i = 0; i < 8; i++) {
                wire[2 + i] = (byte) (longLength >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, wire, headerLength, length);
        return new Frame(wire);
    }
}
