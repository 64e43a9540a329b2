package staffsync.ws.library;

import java.util.Collections;
import java.util.List;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.HandshakeBuilder;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.Protocol;

/**
 * RFC 6455 as Java-WebSocket implements it, with two changes. A maximum frame size: without one,
 * a frame header claiming a huge length makes the library allocate that much, so the bound turns
 * such a frame into a 1009 close instead of an OutOfMemoryError. And no "Server: TooTallNate
 * Java-WebSocket" header in the handshake response: a response should not tell a stranger which
 * library (and so which known bugs) it is talking to.
 */
final class StaffSyncDraft extends Draft_6455 {
    private final int maxFrameBytes;

    StaffSyncDraft(int maxFrameBytes) {
        super(Collections.emptyList(), List.of(new Protocol("")), maxFrameBytes);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public HandshakeBuilder postProcessHandshakeResponseAsServer(ClientHandshake request,
                                                                 ServerHandshakeBuilder response)
            throws InvalidHandshakeException {
        HandshakeBuilder built = super.postProcessHandshakeResponseAsServer(request, response);
        built.put("Server", "staff-sync");
        return built;
    }

    /** The library copies the draft for each connection: the copy must keep both changes. */
    @Override
    public Draft copyInstance() {
        return new StaffSyncDraft(maxFrameBytes);
    }
}
