/**
 * Java-WebSocket 1.6.0, and everything this server does only because of it. <b>Read this second:</b>
 * {@code staffsync.ws} is the server's own WebSocket edge (the callbacks, the message handler,
 * each connection's queue and its writer), and can be read without this package.
 *
 * <p>The door between the two is {@link staffsync.ws.library.LibrarySocket}: one connection's
 * socket as the app sees it, the events the app implements, and the app's queue the socket's own
 * frames go to. The app also writes the handshake checks that are its own rules (Origin, access
 * token, connection limit) against {@link staffsync.ws.library.HandshakeCheck}.
 * {@link staffsync.ws.library.LibraryServer} sets the library up and turns its callbacks into
 * those events; {@link staffsync.ws.library.WebSocketPort} holds the one listening now and any
 * earlier ones still serving their connections.
 *
 * <p>The library is used unmodified. What it leaves open, and the class that covers it:
 * <ul>
 *   <li>{@link staffsync.ws.library.StaffSyncDraft}: without a max frame size one crafted header
 *       makes it allocate gigabytes; and its handshake response names the library in a
 *       {@code Server} header.</li>
 *   <li>{@link staffsync.ws.library.HandshakeGate} (run by {@code SyncSocket.decode}): it can refuse
 *       a handshake only with "404 WebSocket Upgrade Failure", and buffers a request head of any
 *       size. The gate reads the request first (at most 16 KiB, else 431) and runs the
 *       {@code HandshakeCheck}s, starting with {@link staffsync.ws.library.UpgradeRequestCheck}
 *       (not an upgrade 400, another path 404, a version other than 13 426); a refusal is written
 *       as a plain HTTP response ({@link staffsync.ws.library.HandshakeRefusal}) and the socket
 *       closed; the library never sees the request.</li>
 *   <li>{@link staffsync.ws.library.InboundFrameGuard} (also in {@code SyncSocket.decode}): it
 *       accepts unmasked client frames (RFC 6455 5.1 says close with 1002) and bounds each frame,
 *       not a message: continuation frames pile up until the last one. The guard reads every frame
 *       header and closes with 1002 or 1009 as soon as a rule is broken.</li>
 *   <li>{@link staffsync.ws.library.HandshakeReaper}: it never closes a socket whose handshake it
 *       refused (issue #1471), nor one that never sends a handshake.</li>
 *   <li>{@link staffsync.ws.library.SocketFactory}: the library's hook for making each socket's
 *       objects (every connection a {@code SyncSocket}) and the only place to set the send buffer
 *       size (SOCKET_SEND_BUFFER_BYTES).</li>
 *   <li>{@link staffsync.ws.library.SyncSocket}: it writes every socket on its one selector thread,
 *       turning write interest on and off per message (at 1000 subscribers that thread was
 *       saturated), and its outbound queue is unbounded. Once a connection is open the app's
 *       writers write it; the socket routes the library's pings and pongs into the app's queue
 *       (at the next frame boundary) and, for a close frame, has the app hand its unsent rest back
 *       so the close frame is last on the wire. Before that, "the library is still writing"
 *       (the handshake response) holds the app's writer back.</li>
 *   <li>{@link staffsync.ws.library.LibraryServer#onOpen}: pings every new connection, because the
 *       library's selector revisits, on every wake-up, each key it wrote a handshake response on
 *       until that peer sends something (10,000 silent clients: 33 s of CPU before, 8 s after).
 *       Its {@code shutdown} lets the app's writers finish first, because the stopping library
 *       gives up after 25 ms without socket activity.</li>
 *   <li>{@link staffsync.ws.library.WriteDemandRepair}: a send racing its selector thread can leave
 *       a frame in its queue with write interest off; once a second a timer finds such frames
 *       and asks again.</li>
 *   <li>{@link staffsync.ws.library.AcceptGuard}: on a failing {@code accept()} (out of file
 *       descriptors) it closes its listening socket for good. The accept itself cannot be guarded
 *       (the {@code server} field is private; {@code WebSocketServer(ServerSocketChannel)} takes
 *       no wrapper, since the JDK's selector registers only its own channel classes), so before
 *       it the guard pauses accepting instead: at MAX_SOCKETS ({@link
 *       staffsync.ws.library.SocketLimit}, so sockets alone never exhaust the descriptors) and
 *       when no descriptor can be had.</li>
 *   <li>{@link staffsync.ws.library.WebSocketPort}: a server instance whose listener the library
 *       closed anyway (a descriptor taken between the guard's check and the accept) can never
 *       listen again; the port binds a new {@code LibraryServer} to the same address and port at
 *       once, and the old one serves its connections until they close.</li>
 *   <li>{@link staffsync.ws.library.LibraryServer#run} and {@code onError}: on an Error in a worker
 *       or a RuntimeException in its selector loop it stops the whole server; an OutOfMemoryError
 *       goes on to the process's handler, a stopped listener is reported so the process ends.</li>
 *   <li>{@link staffsync.ws.library.LibraryLogFilter}: it logs a client's bad frame at SEVERE with
 *       a stack trace, every time; the app logs it once per connection, rate limited.</li>
 * </ul>
 */
package staffsync.ws.library;
