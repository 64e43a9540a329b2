package staffsync.ws.library;

import java.nio.ByteBuffer;
import org.java_websocket.framing.CloseFrame;

/**
 * Reads the header of every frame a client sends, before Java-WebSocket decodes it, for two
 * rules the library does not keep:
 * <ul>
 *   <li>Client frames must be masked (RFC 6455 section 5.1): an unmasked one closes with 1002.
 *   <li>{@code MAX_MESSAGE_BYTES} bounds a whole message. The library bounds each frame only, and
 *       buffers continuation frames without limit until the last one: a client could send
 *       endless fragments. Here the fragments of a message count together, and the connection
 *       closes with 1009 as soon as their running total passes the bound.
 * </ul>
 * It only looks: payload bytes are skipped, never copied.
 *
 * <p>Thread-safety: one per connection, used only by the worker thread that decodes it.
 */
final class InboundFrameGuard {
    private static final int MAX_HEADER = 14;
    private static final int OPCODE_CONTINUATION = 0;

    /** Why the connection must close, and how many of the offered bytes are whole frames before it. */
    record Violation(int closeCode, String reason, int bytesBefore) {}

    private final long maxMessageBytes;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerLength;
    /** Payload bytes of the current frame still to skip. */
    private long payloadLeft;
    /** Payload bytes of the data message being received, over all its fragments so far. */
    private long messageBytes;

    InboundFrameGuard(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Looks at the bytes without consuming them; null when they may all go to the library. */
    Violation inspect(ByteBuffer bytes) {
        int position = bytes.position();
        int limit = bytes.limit();
        // Where the frame now being read started, within these bytes (0 if it started earlier).
        int frameStart = position;
        while (position < limit) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, limit - position);
                position += (int) skip;
                payloadLeft -= skip;
                continue;
            }
            if (headerLength == 0) {
                frameStart = position;
            }
            header[headerLength++] = bytes.get(position++);
            int needed = headerSize();
            if (headerLength < needed) {
                continue;
            }
            Violation violation = frameComplete(frameStart - bytes.position());
            headerLength = 0;
            if (violation != null) {
                return violation;
            }
        }
        return null;
    }

    /** The header's full size, as far as the bytes so far tell (2 until the length byte is known). */
    private int headerSize() {
        if (headerLength < 2) {
            return 2;
        }
        int lengthCode = header[1] & 0x7F;
        int lengthBytes = lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0;
        int maskBytes = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + lengthBytes + maskBytes;
    }

    private Violation frameComplete(int bytesBefore) {
        boolean fin = (header[0] & 0x80) != 0;
        int opcode = header[0] & 0x0F;
        if ((header[1] & 0x80) == 0) {
            return new Violation(CloseFrame.PROTOCOL_ERROR, "client frames must be masked (RFC 6455 section 5.1)",
                    bytesBefore);
        }
        long length = payloadLength();
        if (length < 0) {
            return new Violation(CloseFrame.PROTOCOL_ERROR, "a frame length must not have its top bit set",
                    bytesBefore);
        }
        boolean control = (opcode & 0x08) != 0;
        if (!control) {
            messageBytes = opcode == OPCODE_CONTINUATION ? messageBytes + length : length;
            if (messageBytes > maxMessageBytes) {
                return new Violation(CloseFrame.TOOBIG, "message larger than " + maxMessageBytes
                        + " bytes (MAX_MESSAGE_BYTES), counting all its fragments", bytesBefore);
            }
            if (fin) {
                messageBytes = 0;
            }
        }
        payloadLeft = length;
        return null;
    }

    private long payloadLength() {
        int lengthCode = header[1] & 0x7F;
        if (lengthCode < 126) {
            return lengthCode;
        }
        int bytes = lengthCode == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (header[2 + i] & 0xFF);
        }
        return length;
    }
}
