package staffsync.support;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A WebSocket client for tests, on the JDK's own {@link java.net.http.WebSocket}: an
 * implementation independent of the server's library, so the two cannot share a bug.
 */
public final class WsClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final WebSocket socket;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final AtomicLong sequence = new AtomicLong();
    private final String clientId;
    private volatile boolean reading = true;
    /** Armed by {@link #stopReadingMidMessage}: the next part of an unfinished message stops the reading. */
    private volatile boolean stopInsideNextMessage;
    private final CountDownLatch stoppedMidMessage = new CountDownLatch(1);
    /** Set by {@link #readSlowly}: asks for each next part of a message only after this long. */
    private volatile ScheduledExecutorService pacer;
    private volatile long paceMillis;

    private WsClient(String clientId, URI uri, Map<String, String> headers) {
        this.clientId = clientId;
        Listener listener = new Listener();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        this.socket = builder
                .buildAsync(uri, listener)
                .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Connects and consumes the CONNECTION_ACK, which it returns via {@link #ack}. */
    public static WsClient connect(URI uri, String clientId) {
        return new WsClient(clientId, uri, Map.of());
    }

    /** The same, with extra request headers on the upgrade (such as a browser's Origin). */
    public static WsClient connect(URI uri, String clientId, Map<String, String> headers) {
        return new WsClient(clientId, uri, headers);
    }

    /**
     * The HTTP status the server refused the upgrade with (the JDK client's own handshake, so a
     * real client's view); fails if the WebSocket opened.
     */
    public static int refusedStatus(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        try {
            WebSocket opened = builder.buildAsync(uri, new WebSocket.Listener() {}).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            opened.abort();
            throw new AssertionError("the WebSocket opened: " + uri.getPath());
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("no HTTP answer: " + e.getCause(), e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private JsonObject ack;

    /** The CONNECTION_ACK (read on first call). */
    public synchronized JsonObject ack() {
        if (ack == null) {
            ack = next();
            if (!ack.get("type").getAsString().equals("CONNECTION_ACK")) {
                throw new AssertionError("first message was not CONNECTION_ACK: " + ack);
            }
        }
        return ack;
    }

    public String clientId() {
        return clientId;
    }

    /** Sends raw text, exactly as given. */
    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends a WebSocket ping control frame (not the protocol's PING message). */
    public void sendPingFrame(byte[] payload) {
        socket.sendPing(ByteBuffer.wrap(payload)).join();
    }

    /** The payload of the next pong control frame, or fails after the timeout. */
    public byte[] nextPongFrame() throws InterruptedException {
        return nextControlPayload(pongs, TIMEOUT, "pong");
    }

    /** The payload of the next ping control frame the server sent (the JDK answers it by itself). */
    public byte[] nextPingFrame(Duration within) throws InterruptedException {
        return nextControlPayload(pings, within, "ping");
    }

    private static byte[] nextControlPayload(BlockingQueue<byte[]> frames, Duration within, String kind)
            throws InterruptedException {
        byte[] payload = frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (payload == null) {
            throw new AssertionError("no " + kind + " frame within " + within);
        }
        return payload;
    }

    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Sends {type, payload, clientId, sequenceNumber} with this client's next sequence number; returns it. */
    public long send(String type, String payloadJson) {
        long number = sequence.incrementAndGet();
        sendText("{\"type\":\"" + type + "\",\"payload\":" + payloadJson + ",\"clientId\":\"" + clientId
                + "\",\"sequenceNumber\":" + number + "}");
        return number;
    }

    /** The same envelope with a chosen sequence number (for retries). */
    public void sendWithSequence(String type, String payloadJson, long number) {
        sendText("{\"type\":\"" + type + "\",\"payload\":" + payloadJson + ",\"clientId\":\"" + clientId
                + "\",\"sequenceNumber\":" + number + "}");
    }

    /** The next message as raw text. */
    public String nextText() {
        return nextText(TIMEOUT);
    }

    /**
     * The next message as raw text, waiting up to {@code within} (for messages of many
     * megabytes); fails at once when the connection has closed and nothing is left to read.
     */
    public String nextText(Duration within) {
        try {
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                String text = received.poll(100, TimeUnit.MILLISECONDS);
                if (text != null) {
                    return text;
                }
                if (closeCode.isDone() && received.isEmpty()) {
                    throw new AssertionError("no message: the connection closed with " + closeCode.join());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no message within " + within);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, whatever its type. */
    public JsonObject next() {
        return JsonParser.parseString(nextText()).getAsJsonObject();
    }

    /**
     * The next message, which must be of this type: anything else fails the test, naming what
     * came instead. For tests that expect an exact sequence.
     */
    public JsonObject next(String type) {
        return JsonParser.parseString(nextText(type)).getAsJsonObject();
    }

    /** The same as {@link #next(String)}, as the exact text that arrived. */
    public String nextText(String type) {
        String text = nextText();
        String came = JsonParser.parseString(text).getAsJsonObject().get("type").getAsString();
        if (!came.equals(type)) {
            throw new AssertionError("expected " + type + " next, got: " + abbreviated(text));
        }
        return text;
    }

    /**
     * Lenient: skips messages until one matches. Only where other messages may legitimately come
     * first in an order the test cannot know (say why at the call site); otherwise use {@link #next(String)}.
     */
    public JsonObject skipToMatching(Predicate<JsonObject> wanted) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject message = next();
            if (wanted.test(message)) {
                return message;
            }
        }
        throw new AssertionError("no matching message within " + TIMEOUT);
    }

    /** Lenient, as {@link #skipToMatching}: skips messages until one of the type comes; returns its exact text. */
    public String skipToTextOfType(String type) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = nextText();
            if (JsonParser.parseString(text).getAsJsonObject().get("type").getAsString().equals(type)) {
                return text;
            }
        }
        throw new AssertionError("no " + type + " within " + TIMEOUT);
    }

    /** Lenient, as {@link #skipToMatching}: skips messages until one of the type comes. */
    public JsonObject skipToType(String type) {
        return skipToMatching(m -> m.get("type").getAsString().equals(type));
    }

    /**
     * A fence instead of a quiet period: asks for an empty snapshot (a period no test uses) and
     * fails if any other message arrives before its SYNC_RESPONSE. A connection's messages are
     * read in order, and the hub answers requests and sends events to a connection in one order,
     * so every answer to an earlier message and every event the hub sent this client before the
     * request has then been delivered: "nothing else came" without sleeping. Returns the
     * snapshot's sequenceNumber (the last event committed before it).
     */
    public long assertNothingElseArrived() {
        sendText("""
                {"type": "SYNC_REQUEST", "payload": {"period": %d}, "clientId": "%s"}""".formatted(FENCE_PERIOD, clientId));
        JsonObject response = next("SYNC_RESPONSE");
        JsonObject payload = response.getAsJsonObject("payload");
        if (payload.getAsJsonArray("staff").size() != 0) {
            throw new AssertionError("the fence's period " + FENCE_PERIOD + " holds rows: " + response);
        }
        return payload.get("sequenceNumber").getAsLong();
    }

    /** A period no test puts rows in: {@link #assertNothingElseArrived}'s snapshot is empty. */
    public static final long FENCE_PERIOD = 999_999_999;

    private static String abbreviated(String text) {
        return text.length() <= 2_000 ? text : text.substring(0, 2_000) + "... (" + text.length() + " chars)";
    }

    /**
     * Messages that arrive within the window. Only for what a fence cannot prove (a duplicate
     * that could come from another process later); say why at the call site.
     */
    public List<String> drain(Duration window) throws InterruptedException {
        List<String> texts = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return texts;
            }
            String text = received.poll(left, TimeUnit.NANOSECONDS);
            if (text != null) {
                texts.add(text);
            }
        }
    }

    /** Stops asking for messages: the server's data then piles up in its outbound queue. */
    public void stopReading() {
        reading = false;
    }

    /**
     * Stops reading once part of a message has arrived and the rest has not: the server is then
     * in the middle of writing it. {@link #awaitStoppedMidMessage} tells when that happened.
     */
    public void stopReadingMidMessage() {
        stopInsideNextMessage = true;
    }

    /** True once {@link #stopReadingMidMessage} took effect within the timeout. */
    public boolean awaitStoppedMidMessage() throws InterruptedException {
        return stoppedMidMessage.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads like a client on a slow link: each next part of a message (the JDK hands over a
     * frame in parts of some kilobytes) is asked for only {@code perPart} after the last.
     * Control frames are still read at once when reached.
     */
    public void readSlowly(Duration perPart) {
        paceMillis = perPart.toMillis();
        pacer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ws-client-pacer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Asks for messages again after {@link #stopReading}. */
    public void resumeReading() {
        reading = true;
        socket.request(1);
    }

    /** The close code the server sent, or fails if none came within the timeout. */
    public int awaitClose() {
        return closeCode.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /**
     * The close code the server sent, failing if any message came before the close that the test
     * has not read: with {@link #next(String)}, "exactly these messages, then the close".
     */
    public int awaitCloseWithNothingUnread() {
        int code = awaitClose();
        if (!received.isEmpty()) { // the JDK delivers every message before the close
            throw new AssertionError(received.size() + " unread message(s) before the close " + code + ", the first: "
                    + abbreviated(received.peek()));
        }
        return code;
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    @Override
    public void close() {
        if (pacer != null) {
            pacer.shutdownNow();
        }
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            } else if (stopInsideNextMessage) {
                stopInsideNextMessage = false;
                reading = false;
                stoppedMidMessage.countDown();
            }
            if (reading && paceMillis > 0) {
                pacer.schedule(() -> webSocket.request(1), paceMillis, TimeUnit.MILLISECONDS);
            } else if (reading) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            return recordControl(webSocket, message, pings);
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            return recordControl(webSocket, message, pongs);
        }

        private CompletionStage<?> recordControl(WebSocket webSocket, ByteBuffer message, BlockingQueue<byte[]> into) {
            byte[] payload = new byte[message.remaining()];
            message.get(payload);
            into.add(payload);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }
    }
}
