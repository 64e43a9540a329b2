package staffsync.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import staffsync.hub.Frame;
import staffsync.hub.FrameEncoder;

/**
 * Encodes server-to-client WebSocket text frames (RFC 6455 section 5.2). A whole message is
 * encoded once, so a broadcast shares the same bytes across every connection; a large reply
 * goes out as a fragmented message, a frame per piece, whose payloads are shared bytes too.
 * Server frames are never masked, which is what makes the bytes identical for every receiver.
 */
public final class TextFrames implements FrameEncoder {
    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;

    @Override
    public Frame encode(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        byte[] header = header(FIN | TEXT, payload.length);
        byte[] wire = new byte[header.length + payload.length];
        System.arraycopy(header, 0, wire, 0, header.length);
        System.arraycopy(payload, 0, wire, header.length, payload.length);
        return new Frame(wire);
    }

    @Override
    public ByteBuffer[] encodePiece(ByteBuffer[] json, boolean first, boolean last) {
        long length = 0;
        for (ByteBuffer part : json) {
            length += part.remaining();
        }
        ByteBuffer[] wire = new ByteBuffer[json.length + 1];
        wire[0] = ByteBuffer.wrap(header((last ? FIN : 0) | (first ? TEXT : CONTINUATION), length));
        System.arraycopy(json, 0, wire, 1, json.length);
        return wire;
    }

    /** The first byte, then the payload length in the shortest of the three forms. */
    private static byte[] header(int firstByte, long length) {
        byte[] header;
        if (length < 126) {
            header = new byte[] {(byte) firstByte, (byte) length};
        } else if (length <= 0xFFFF) {
            header = new byte[] {(byte) firstByte, 126, (byte) (length >>> 8), (byte) length};
        } else {
            header = new byte[10];
            header[0] = (byte) firstByte;
            header[1] = 127;
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
        }
        return header;
    }
}
