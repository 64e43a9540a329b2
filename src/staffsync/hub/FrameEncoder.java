package staffsync.hub;

import java.nio.ByteBuffer;

/** Turns messages into wire bytes; the WebSocket edge supplies the implementation. */
@FunctionalInterface
public interface FrameEncoder {
    /** One whole message. */
    Frame encode(String json);

    /**
     * One piece of a message sent in pieces (a large reply, written as it is read): what to
     * write, in order, for the given part of the message's JSON. For WebSocket, one frame of a
     * fragmented message: a text frame first, continuation frames after, the last with FIN. An
     * encoder that is never given large replies (a test's) need not say how.
     */
    default ByteBuffer[] encodePiece(ByteBuffer[] json, boolean first, boolean last) {
        throw new UnsupportedOperationException(getClass().getName() + " does not send messages in pieces");
    }
}
