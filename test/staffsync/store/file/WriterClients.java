package staffsync.store.file;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import staffsync.support.Json;
import staffsync.support.WsClient;

/**
 * Clients that write concurrently against a real server until it dies (or {@link #stop}),
 * each sending one mutation at a time and waiting for its answer. Every broadcast event any
 * of them receives is kept, by sequence number, with its exact text: what the server has
 * acknowledged, and so what must survive a crash.
 *
 * <p>Each writer runs on its own thread; {@code received} is a concurrent map shared by them.
 */
final class WriterClients {
    private final ConcurrentMap<Long, String> received;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    /** @param received where broadcast events are collected; shared across rounds */
    WriterClients(ConcurrentMap<Long, String> received) {
        this.received = received;
    }

    /** Connects {@code count} clients (ids prefixed with {@code round}) and starts them writing. */
    void start(URI uri, int count, String round, long seed) {
        for (int c = 0; c < count; c++) {
            String clientId = round + "-c" + c;
            Random random = new Random(seed * 31 + c);
            WsClient client = WsClient.connect(uri, clientId);
            client.ack();
            Thread thread = new Thread(() -> write(client, clientId, random), "writer-" + clientId);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    void stop() {
        stopped = true;
    }

    /** Waits for every writer to notice the server is gone. */
    void awaitFinished() throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(20_000);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a writer failed", failures.get(0));
        }
    }

    private void write(WsClient client, String clientId, Random random) {
        List<String> ownRows = new ArrayList<>();
        int created = 0;
        try (client) {
            while (!stopped && !client.isClosed()) {
                int choice = random.nextInt(10);
                String type;
                String payload;
                if (ownRows.isEmpty() || choice < 4) {
                    String id = clientId + "-r" + created++;
                    ownRows.add(id);
                    type = "STAFF_CREATE";
                    payload = "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"Staff " + id + "\",\"period\":"
                            + random.nextInt(4) + "}}";
                } else if (choice < 9) {
                    // now and then another writer's row (may not exist: NOT_FOUND is a fine answer too)
                    String id = choice == 8 ? round(clientId) + "-c" + random.nextInt(8) + "-r" + random.nextInt(5)
                            : ownRows.get(random.nextInt(ownRows.size()));
                    type = "STAFF_UPDATE";
                    payload = "{\"staffId\":\"" + id + "\",\"changes\":{\"name\":\"n" + random.nextInt(1000)
                            + "\",\"department\":\"d" + random.nextInt(9) + "\"}}";
                } else {
                    String id = ownRows.remove(random.nextInt(ownRows.size()));
                    type = "STAFF_DELETE";
                    payload = "{\"staffId\":\"" + id + "\"}";
                }
                long number;
                try {
                    number = client.send(type, payload);
                } catch (RuntimeException e) {
                    return; // the server is gone
                }
                awaitAnswer(client, clientId, number);
            }
        } catch (RuntimeException | AssertionError e) {
            if (!stopped && !client.isClosed()) {
                failures.add(e);
            }
        }
    }

    private static String round(String clientId) {
        return clientId.substring(0, clientId.lastIndexOf("-c"));
    }

    /** Records every message until the one answering {@code number}, or until the connection ends. */
    private void awaitAnswer(WsClient client, String clientId, long number) {
        while (true) {
            List<String> texts;
            try {
                texts = client.drain(Duration.ofMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean answered = false;
            for (String text : texts) {
                JsonObject message = JsonParser.parseString(text).getAsJsonObject();
                String type = Json.type(message);
                if (type.startsWith("STAFF_")) {
                    String earlier = received.putIfAbsent(Json.seq(message), text);
                    if (earlier != null && !earlier.equals(text)) {
                        failures.add(new AssertionError("two different events numbered " + Json.seq(message)
                                + ":\n" + earlier + "\n" + text));
                    }
                }
                boolean mine = !type.startsWith("STAFF_") || message.get("clientId").getAsString().equals(clientId);
                if (mine && message.has("inReplyTo") && message.get("inReplyTo").getAsLong() == number) {
                    answered = true;
                }
            }
            if (answered || client.isClosed() || stopped) {
                return;
            }
        }
    }
}
