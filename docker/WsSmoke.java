import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A tiny WebSocket client for docker/test-image.sh (JDK 17+, no dependencies):
 *
 *   java docker/WsSmoke.java ws://127.0.0.1:PORT/staff-sync [HOLD_SECONDS]
 *
 * Checks that the first message is CONNECTION_ACK and that a STAFF_CREATE comes back as the
 * broadcast answering it (inReplyTo 1), then prints "ROUNDTRIP OK". With HOLD_SECONDS it keeps
 * the connection open that long and waits for the server to close it: it prints
 * "CLOSED code=N" and exits 0 only for 1001 (going away), the code of a graceful shutdown.
 * Exit codes: 0 ok, 2 a check failed, 3 closed with another code, 4 not closed in time.
 */
public class WsSmoke {
    private static final Pattern CONNECTION_ACK = type("CONNECTION_ACK");
    private static final Pattern STAFF_CREATE = type("STAFF_CREATE");
    private static final Pattern IN_REPLY_TO_1 = Pattern.compile("\"inReplyTo\"\\s*:\\s*1\\b");

    private static Pattern type(String t) {
        return Pattern.compile("\"type\"\\s*:\\s*\"" + t + "\"");
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int holdSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();

        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    messages.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                System.out.println("CLOSED code=" + statusCode + " reason=" + reason);
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                System.out.println("ERROR " + error);
                closed.completeExceptionally(error);
            }
        };

        WebSocket ws = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, listener).get(10, TimeUnit.SECONDS);

        String first = messages.poll(10, TimeUnit.SECONDS);
        if (first == null || !CONNECTION_ACK.matcher(first).find()) {
            fail("first message is not CONNECTION_ACK: " + first);
        }
        System.out.println("ACK " + first);

        ws.sendText("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":{\"name\":\"Ada\"}},"
                + "\"clientId\":\"t1\",\"sequenceNumber\":1}", true).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String reply = null;
        while (reply == null) {
            long left = deadline - System.nanoTime();
            String m = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
            if (m == null) {
                fail("no STAFF_CREATE with inReplyTo 1 within 10 s");
            }
            if (STAFF_CREATE.matcher(m).find() && IN_REPLY_TO_1.matcher(m).find()) {
                reply = m;
            } else {
                System.out.println("(skipped) " + m);
            }
        }
        if (!reply.contains("\"Ada\"")) {
            fail("STAFF_CREATE reply does not carry the row: " + reply);
        }
        System.out.println("ROUNDTRIP OK " + reply);
        System.out.flush();

        if (holdSeconds <= 0) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            System.exit(0);
        }
        Integer code;
        try {
            code = closed.get(holdSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.out.println("NOT CLOSED within " + holdSeconds + " s");
            System.exit(4);
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            System.out.println("CLOSED by error, no close frame: " + e.getCause());
            System.exit(3);
            return;
        }
        System.exit(code == 1001 ? 0 : 3);
    }

    private static void fail(String why) {
        System.out.println("FAIL " + why);
        System.exit(2);
    }
}
