package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.config.Config;
import staffsync.hub.Hub;
import staffsync.metrics.Metrics;
import staffsync.store.MemoryStore;
import staffsync.support.WsClient;

/**
 * Java-WebSocket can leave a frame in its own queue with the key's write interest off (a
 * sender's "on" overtaken by the selector's "off"; see staffsync.ws.library.WriteDemandRepair). The race
 * itself is too narrow to hit on demand, so these tests build its outcome directly, on a server
 * running in this JVM, and check that the frame still reaches the client.
 */
class WriteDemandRepairTest {
    final Metrics metrics = new Metrics();
    final TextFrames frames = new TextFrames();
    MemoryStore store;
    Hub hub;
    SyncServer server;
    WsClient client;

    @BeforeEach
    void start() throws Exception {
        Config config = Config.from(Map.of("HOST", "127.0.0.1", "PORT", "0", "HTTP_PORT", "0", "STORE", "memory",
                "PING_INTERVAL_SECONDS", "3600"));
        store = new MemoryStore();
        hub = new Hub(store, 1, 100, 100, frames, metrics, "test");
        Thread hubThread = new Thread(hub, "hub");
        hubThread.setDaemon(true);
        hubThread.start();
        store.start(hub.storeListener());
        server = new SyncServer(config, hub, frames, metrics);
        int port = server.startAndAwait();
        client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + SyncServer.PATH), "repair-test");
        client.ack();
        // One round trip, so the server has also read the client's pong to its opening ping:
        // after that nothing is pending on either side, and a frame queued without a write
        // demand stays stuck unless the repair finds it.
        client.send("PING", "{}");
        client.next("PONG");
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.shutdown(2_000);
        hub.shutdown(2_000);
    }

    private WebSocketImpl onlyConnection() {
        assertEquals(1, server.libraryConnections().size());
        WebSocket socket = server.libraryConnections().get(0);
        return (WebSocketImpl) socket;
    }

    /** Queues a frame the way the race leaves it: in the queue, with no write demand after it. */
    private void queueWithoutWriteDemand(WebSocketImpl socket, String json) {
        socket.outQueue.add(frames.encode(json).buffer());
    }

    @Test
    void aFrameTheLibraryQueuedItselfIsFoundByTheSweep() {
        // The library's queue now carries only handshake responses and close frames.
        queueWithoutWriteDemand(onlyConnection(), "{\"unwatched\":2}");

        assertEquals("{\"unwatched\":2}", client.nextText());
    }

    @Test
    void aRepairIsCountedInTheMetrics() {
        queueWithoutWriteDemand(onlyConnection(), "{\"counted\":3}");
        client.nextText();

        String text = metrics.render(() -> 1, 0, 0);
        assertTrue(text.contains("\nstaffsync_write_demand_repairs_total 1\n"), text);
    }
}
