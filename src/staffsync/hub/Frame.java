package staffsync.hub;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Bytes ready for the wire, made of {@code messages} whole messages end to end (for WebSocket:
 * whole text frames). The encoder makes one frame per message ({@code messages} 1); at the end
 * of a hub turn the {@link Outbox} joins the frames a client is due into one, so that they cost
 * one queue entry and one write ({@link #joined}). WebSocket frames are self-delimiting, so
 * joined frames need no separator. Shared by every client it goes to; nobody mutates the bytes.
 */
public record Frame(byte[] wire, int messages) implements Outgoing {

    /** One message. */
    public Frame(byte[] wire) {
        this(wire, 1);
    }

    /** Several frames as one: their bytes end to end, in order. */
    public static Frame joined(List<Frame> frames) {
        int size = 0;
        int messages = 0;
        for (Frame frame : frames) {
            size += frame.size();
            messages += frame.messages();
        }
        byte[] wire = new byte[size];
        int at = 0;
        for (Frame frame : frames) {
            System.arraycopy(frame.wire(), 0, wire, at, frame.size());
            at += frame.size();
        }
        return new Frame(wire, messages);
    }

    /** A fresh read-only view of the bytes: each connection gets its own position. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(wire).asReadOnlyBuffer();
    }

    public int size() {
        return wire.length;
    }
}
