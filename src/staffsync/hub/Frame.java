package staffsync.hub;

import java.nio.ByteBuffer;

/**
 * One outbound message, already encoded for the wire (for WebSocket: a whole text frame).
 * Encoded once by the hub and shared by every client it goes to; nobody mutates the bytes.
 */
public record Frame(byte[] wire) {

    /** A fresh read-only view of the bytes: each connection gets its own position. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(wire).asReadOnlyBuffer();
    }

    public int size() {
        return wire.length;
    }
}
