package staffsync.ws.library;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;

/**
 * The hook Java-WebSocket offers for making each accepted socket's objects: every connection is a
 * {@link SyncSocket} (our gate on the way in, our writers on the way out), counted against
 * MAX_SOCKETS ({@link SocketLimit}), handed to the {@link HandshakeReaper} until it opens, and its
 * socket gets our send buffer size.
 *
 * <p>Called on the library's selector thread; holds nothing mutable.
 */
final class SocketFactory implements WebSocketServerFactory {
    /** SO_SNDBUF for accepted sockets; 0 leaves the kernel's default (auto-tuned). */
    private final int sendBufferBytes;
    private final InboundRules rules;
    private final HandshakeReaper reaper;
    /** Told of each accepted socket: the library makes one object per socket it accepted. */
    private final Runnable accepted;

    SocketFactory(int sendBufferBytes, InboundRules rules, HandshakeReaper reaper, Runnable accepted) {
        this.sendBufferBytes = sendBufferBytes;
        this.rules = rules;
        this.reaper = reaper;
        this.accepted = accepted;
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
        return createWebSocket(adapter, List.of(draft));
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
        SyncSocket socket = new SyncSocket(adapter, drafts, rules);
        accepted.run();
        // If the library fails to set the socket up after this, it closes the channel without
        // removing the socket; the reaper's closeConnection at the timeout gives its count back.
        reaper.watch(socket);
        return socket;
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        if (sendBufferBytes > 0) {
            // The kernel's buffer otherwise grows to megabytes and hides a slow reader from the
            // OUTBOUND_LIMIT_BYTES bound for as long as it takes to fill.
            channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
        }
        // The channel itself, unwrapped: the app's socket writers need it for gathering writes.
        return channel;
    }

    @Override
    public void close() {
        // nothing of its own to release: the sockets are closed by the server
    }
}
