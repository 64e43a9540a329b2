package staffsync.ws;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.Opcode;
import org.java_websocket.framing.Framedata;

/**
 * Java-WebSocket's connection object with one change, made through the factory the library
 * offers for it: once the connection is open, the frames the library itself sends (pings, pongs,
 * and anything sent through the {@code WebSocket} interface) join the connection's own queues, so
 * exactly one writer ever writes to the socket and frames never interleave (pings and pongs go
 * at the next frame boundary, between the pieces of a long reply too). A close frame is the
 * exception: it hands the whole queue to the library, which then writes the rest, the close
 * frame, and closes (see {@link ClientConnection#handOverToLibrary}).
 *
 * <p>Before the connection opens (the handshake response) the library writes as it always does.
 */
final class SyncSocket extends WebSocketImpl {
    /**
     * Set once, by the worker that runs onOpen; read by any thread that sends. Its own volatile
     * field rather than the library's attachment, which is a plain field: a ping from the
     * library's timer thread must see it.
     */
    private volatile ClientConnection connection;

    SyncSocket(WebSocketAdapter listener, List<Draft> drafts) {
        super(listener, drafts);
    }

    void attach(ClientConnection opened) {
        this.connection = opened;
    }

    @Override
    public void sendFrame(Framedata frame) {
        ClientConnection open = connection;
        if (open == null) {
            super.sendFrame(frame);
        } else if (frame.getOpcode() == Opcode.CLOSING) {
            open.handOverToLibrary(() -> super.sendFrame(frame));
        } else if (isOpen() && (frame.getOpcode() == Opcode.PING || frame.getOpcode() == Opcode.PONG)) {
            open.enqueueControl(getDraft().createBinaryFrame(frame));
        } else if (isOpen()) {
            open.enqueue(getDraft().createBinaryFrame(frame));
        }
    }

    @Override
    public void sendFrame(Collection<Framedata> frames) {
        frames.forEach(this::sendFrame);
    }

    @Override
    public void send(String text) {
        sendFrame(getDraft().createFrames(text, false));
    }

    @Override
    public void send(ByteBuffer bytes) {
        sendFrame(getDraft().createFrames(bytes, false));
    }
}
