package staffsync.ws.library;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;

/**
 * Java-WebSocket's connection object, made through the factory the library offers for it
 * ({@link SocketFactory}), and the app's {@link LibrarySocket}. One change on the way out: once
 * the connection is open, the frames the library itself sends (pings, pongs, and anything sent
 * through the {@code WebSocket} interface) join the app's queue for it ({@link OwnWritePath}), so
 * exactly one writer ever writes to the socket and frames never interleave (pings and pongs go
 * at the next frame boundary, between the pieces of a long reply too). A close frame is the
 * exception: the app hands its whole queue to the library, which then writes the rest, the close
 * frame, and closes (see {@link OwnWritePath#handOver}).
 *
 * <p>Before the connection opens (the handshake response) the library writes as it always does.
 *
 * <p>On the way in, every byte passes our own gate first ({@link #decode}): the upgrade request
 * through the {@link HandshakeGate}, then every frame header through the {@link InboundFrameGuard}.
 * {@code decode} runs on the one worker thread that serves this connection, which alone touches
 * {@link #gate}, {@link #guard} and {@link #refused}.
 */
final class SyncSocket extends WebSocketImpl implements LibrarySocket {
    private static final Logger LOG = Logger.getLogger(SyncSocket.class.getName());
    /**
     * Set once, by the worker that runs onOpen; read by any thread that sends. Its own volatile
     * field rather than the library's attachment, which is a plain field: a ping from the
     * library's timer thread must see it.
     */
    private volatile OwnWritePath connection;

    private final InboundRules rules;
    /**
     * Reads the upgrade request; dropped (with its buffer, 1 KiB) once the request is accepted or
     * refused, since an open connection never needs it again. Its worker thread only.
     */
    private HandshakeGate gate;
    private final InboundFrameGuard guard;
    /** Set when the gate refused the request or the guard a frame: later bytes are ignored. */
    private boolean refused;
    /**
     * The request that opened this connection (null before). Whole while the library opens the
     * connection (onOpen runs inside the library's decode of the request, and reads its headers);
     * without its headers from then on, so open connections do not each keep them (about 1 KiB;
     * 10 MiB at 10,000 connections), while its address stays for the connection limit's release.
     * Written by its worker; read by it and by the thread that removes the closed connection.
     */
    private volatile HandshakeRequest openingRequest;

    SyncSocket(WebSocketAdapter listener, List<Draft> drafts, InboundRules rules) {
        super(listener, drafts);
        this.rules = rules;
        this.gate = new HandshakeGate(rules.checks());
        this.guard = new InboundFrameGuard(rules.maxMessageBytes());
    }

    /** The upgrade request that opened this connection; its headers only during onOpen; null before. */
    HandshakeRequest openingRequest() {
        return openingRequest;
    }

    @Override
    public void decode(ByteBuffer bytes) {
        if (refused || !bytes.hasRemaining()) {
            return;
        }
        if (getReadyState() != ReadyState.NOT_YET_CONNECTED) {
            decodeFrames(bytes);
            return;
        }
        if (gate == null) {
            return; // the request was handled and the library did not open: nothing more to read
        }
        HandshakeGate.Outcome outcome = gate.offer(bytes, getRemoteSocketAddress());
        if (outcome instanceof HandshakeGate.Refused refusal) {
            refuse(refusal.refusal());
        } else if (outcome instanceof HandshakeGate.Accepted accepted) {
            gate = null;
            openingRequest = accepted.request();
            try {
                super.decode(accepted.head());
            } finally {
                openingRequest = accepted.request().withoutHeaders();
            }
            // Frames the client sent right behind its request pass the guard like any others.
            if (accepted.rest().hasRemaining() && isOpen()) {
                decodeFrames(accepted.rest());
            }
        }
    }

    private void decodeFrames(ByteBuffer bytes) {
        InboundFrameGuard.Violation violation = guard.inspect(bytes);
        if (violation == null) {
            super.decode(bytes);
            return;
        }
        if (violation.bytesBefore() > 0) {
            super.decode(bytes.slice(bytes.position(), violation.bytesBefore()));
        }
        refused = true;
        // Logged (once per connection and kind, rate limited) by the app, told through Events.closing.
        LOG.fine(() -> "closing a connection from " + getRemoteSocketAddress() + " with " + violation.closeCode()
                + ": " + violation.reason());
        // A client that breaks the protocol may not answer the close frame either: cut off later.
        closeAfterQueued(violation.closeCode(), violation.reason());
    }

    /** Answers with the refusal's HTTP response and closes: the library never sees the request. */
    private void refuse(HandshakeRefusal refusal) {
        refused = true;
        gate = null;
        try {
            // A fresh socket's send buffer is empty and the response is small: one write takes it.
            ((SocketChannel) getChannel()).write(refusal.toHttpResponse());
        } catch (IOException | RuntimeException gone) {
            // the peer left already; closing below is all there is to do
        }
        LOG.fine(() -> "refused a handshake from " + getRemoteSocketAddress() + ": " + refusal.status() + " "
                + refusal.reason());
        closeConnection(CloseFrame.NEVER_CONNECTED, "handshake refused with HTTP " + refusal.status());
    }

    /** From now on the library's own frames go to the app's queue. */
    void routeSendsTo(OwnWritePath opened) {
        this.connection = opened;
    }

    @Override
    public SocketChannel channel() {
        return (SocketChannel) getChannel();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return getRemoteSocketAddress();
    }

    @Override
    public boolean isClosingOrClosed() {
        return isClosing() || isClosed();
    }

    @Override
    public boolean libraryStillWriting() {
        return !outQueue.isEmpty();
    }

    @Override
    public void closeAfterQueued(int code, String reason) {
        close(code, reason);
        rules.closeLater().accept(this, code);
    }

    @Override
    public void abort(int code, String reason) {
        closeConnection(code, reason);
    }

    @Override
    public void sendFrame(Framedata frame) {
        OwnWritePath open = connection;
        if (open == null) {
            super.sendFrame(frame);
        } else if (frame.getOpcode() == Opcode.CLOSING) {
            open.handOver(outQueue::add, () -> super.sendFrame(frame));
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
