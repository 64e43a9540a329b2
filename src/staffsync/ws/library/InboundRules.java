package staffsync.ws.library;

import java.util.List;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocketImpl;

/**
 * What every connection's {@link HandshakeGate} and {@link InboundFrameGuard} enforce, shared by
 * all sockets (immutable).
 *
 * @param checks          the handshake checks, in order
 * @param maxMessageBytes MAX_MESSAGE_BYTES
 * @param closeLater      hard-closes a socket that does not finish its closing handshake in time
 */
record InboundRules(List<HandshakeCheck> checks, int maxMessageBytes, BiConsumer<WebSocketImpl, Integer> closeLater) {

    InboundRules {
        checks = List.copyOf(checks);
    }
}
