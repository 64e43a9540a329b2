package staffsync.hub;

/**
 * One connected client as the hub sees it. The WebSocket edge implements it; tests can too.
 * Every method is non-blocking: the hub thread must never wait on a socket.
 */
public interface Client {

    /** Identifies the connection in CONNECTION_ACK and logs. */
    String connectionId();

    /** Queues the frame; a client whose backlog is over its bound is dropped instead. */
    void send(Frame frame);

    /**
     * Queues a large reply, written piece by piece as the client reads it; what is sent after
     * it waits behind it. Once its last piece is in the socket the client calls
     * {@link Reply#written}; a client that closes first never does.
     */
    void send(Reply reply);

    /** True once the connection has closed; the hub then forgets it. */
    boolean isClosed();

    /** Called once for every mutation this client handed to the hub, when its outcome is known. */
    void mutationSettled();

    /**
     * The server failed this connection (it could not register it, or sending to it threw), so
     * it may have missed messages: close it (it reconnects and catches up). Never blocks.
     */
    void failed(String reason);
}
