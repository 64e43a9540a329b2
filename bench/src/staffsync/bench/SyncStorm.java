package staffsync.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario (f), replies of any size: fills staff-sync with many rows of 200-character fields,
 * then has many clients ask for the full snapshot at the same moment, each reading it as fast
 * as it can and counting the rows it got. The event latency of everyone else during the storm
 * is measured by {@link LoadGen} running alongside (see {@code Bench.runSyncStorm}).
 *
 * <p>Blocking sockets, a thread per connection: a few hundred connections, each reading tens of
 * megabytes, which is all this needs. Client frames are masked (RFC 6455 5.3); server pings are
 * answered, since a storm can outlast a ping interval.
 */
final class SyncStorm {
    /** 200 characters: the longest text field a row may have. */
    static final String TEXT = "x".repeat(190) + "-200-chars";
    /** Creates in flight from the seeding connection: their broadcasts (about 1 KB each) stay under 256 KiB. */
    private static final int SEED_WINDOW = 100;

    private SyncStorm() {}

    /** What one storm client saw. */
    record Result(boolean complete, long rows, long bytes, long firstByteNanos, long doneNanos, String failure) {}

    /** Creates {@code rows} rows (ids storm-0 ...) through one connection; returns the seconds it took. */
    static double seed(String host, int port, int rows) throws Exception {
        long started = System.nanoTime();
        try (Client client = Client.connect(host, port)) {
            client.readUntilAck();
            Semaphore window = new Semaphore(SEED_WINDOW);
            AtomicInteger created = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Thread reader = new Thread(() -> {
                try {
                    while (created.get() + refused.get() < rows) {
                        String text = client.readWholeText();
                        if (text.startsWith("{\"type\":\"STAFF_CREATE\"")) {
                            created.incrementAndGet();
                            window.release();
                        } else if (text.startsWith("{\"type\":\"ERROR\"")) {
                            refused.incrementAndGet();
                            window.release();
                        }
                    }
                } catch (IOException e) {
                    refused.set(rows); // ends the wait below; reported as a short count
                    window.release(SEED_WINDOW);
                }
            }, "storm-seed-reader");
            reader.setDaemon(true);
            reader.start();
            for (int i = 0; i < rows && refused.get() < rows; i++) {
                window.acquire();
                client.sendText("{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":{\"id\":\"storm-" + i
                        + "\",\"name\":\"" + TEXT + "\",\"position\":\"" + TEXT + "\",\"department\":\"" + TEXT
                        + "\",\"period\":" + (i % 12) + "}},\"clientId\":\"storm-seeder\",\"sequenceNumber\":" + (i + 1)
                        + "}");
            }
            reader.join(120_000);
            if (created.get() != rows) {
                throw new IllegalStateException("seeding created " + created.get() + " of " + rows + " rows ("
                        + refused.get() + " refused)");
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Connects {@code clients} clients, which from then on read (and skip) the events broadcast
     * to every client, as any connected client does; {@code connected} opens once they all are
     * (or failed to). When {@code go} opens, each is sent its SYNC_REQUEST in turn, and reads the
     * snapshot to its end. Returns once every client has finished or {@code timeoutMs} passed
     * after {@code go}.
     */
    static List<Result> storm(String host, int port, int clients, CountDownLatch connected, CountDownLatch go,
                              long timeoutMs) throws InterruptedException {
        List<Result> results = new ArrayList<>();
        Result[] slots = new Result[clients];
        Client[] connections = new Client[clients];
        CountDownLatch eachConnected = new CountDownLatch(clients);
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            int index = i;
            Thread thread = new Thread(() -> {
                try (Client client = Client.connect(host, port)) {
                    client.readUntilAck();
                    connections[index] = client;
                    eachConnected.countDown();
                    slots[index] = client.readSnapshot();
                } catch (Exception e) {
                    slots[index] = new Result(false, 0, 0, 0, 0, String.valueOf(e));
                    eachConnected.countDown();
                } finally {
                    done.countDown();
                }
            }, "storm-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        eachConnected.await(60, TimeUnit.SECONDS);
        connected.countDown();
        go.await();
        for (int i = 0; i < clients; i++) {
            Client client = connections[i];
            if (client != null) {
                client.askForEveryRow("storm-" + i);
            }
        }
        done.await(timeoutMs, TimeUnit.MILLISECONDS);
        for (int i = 0; i < clients; i++) {
            results.add(slots[i] != null ? slots[i] : new Result(false, 0, 0, 0, 0, "not finished in time"));
        }
        return results;
    }

    /**
     * The storm in a process of its own (BENCH_STORM_PROCESS, see {@code Bench}): {@code host port
     * clients timeoutMs}. The clients connect at once, and {@code connected} is printed when they
     * are; the storm starts when a line {@code go} arrives on standard input; each client's
     * {@link Result} is then printed as one line of {@link #toLine}, and {@code end} after the last.
     */
    public static void main(String[] args) throws Exception {
        warmUp();
        CountDownLatch go = new CountDownLatch(1);
        Thread starter = new Thread(() -> {
            try {
                java.io.BufferedReader in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("go")) {
                    // nothing else is said on this channel
                }
            } catch (IOException e) {
                // the parent went away: start anyway, so this process ends in time
            }
            go.countDown();
        }, "storm-go");
        starter.setDaemon(true);
        starter.start();
        CountDownLatch connected = new CountDownLatch(1);
        Thread announcer = new Thread(() -> {
            try {
                connected.await();
                System.out.println("connected");
                System.out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "storm-connected");
        announcer.setDaemon(true);
        announcer.start();
        List<Result> results = storm(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), connected, go,
                Long.parseLong(args[3]));
        for (Result r : results) {
            System.out.println(toLine(r));
        }
        System.out.println("end");
        System.out.flush();
        System.exit(0); // the daemon clients that did not finish are abandoned, as in the same-process storm
    }

    /** One client asks for every row and reads it to the end: the storm of one. */
    static Result syncOnce(String host, int port) throws InterruptedException {
        return storm(host, port, 1, new CountDownLatch(1), new CountDownLatch(0), 120_000).get(0);
    }

    /** Every row of a snapshot is one JSON object: counting their braces counts the rows. */
    static long countBraces(byte[] bytes, int length) {
        long braces = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '{') {
                braces++;
            }
        }
        return braces;
    }

    /**
     * Compiles the readers' hot loop before the storm: 200 clients counting 74.5 MiB each in the
     * interpreter at the storm's start would take the cores the server's other clients need, a
     * cost of this bench's clients, not of the server (whose clients read on other machines).
     */
    static void warmUp() {
        byte[] sample = SyncStorm.TEXT.repeat(400).getBytes(StandardCharsets.US_ASCII);
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += countBraces(sample, sample.length);
        }
        if (sink < 0) {
            throw new AssertionError(); // keeps the loop from being optimised away
        }
    }

    /** One result as a line: the failure (which may hold spaces) last. */
    static String toLine(Result r) {
        return "result " + r.complete() + " " + r.rows() + " " + r.bytes() + " " + r.firstByteNanos() + " "
                + r.doneNanos() + " " + (r.failure() == null ? "" : r.failure());
    }

    static Result fromLine(String line) {
        String[] f = line.split(" ", 7);
        return new Result(Boolean.parseBoolean(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                Long.parseLong(f[5]), f.length < 7 || f[6].isEmpty() ? null : f[6]);
    }

    static Map<String, Object> summarize(List<Result> results, long expectedRows) {
        Map<String, Object> out = new LinkedHashMap<>();
        int complete = 0;
        long minRows = Long.MAX_VALUE;
        long maxRows = 0;
        long bytes = 0;
        List<Double> firstByte = new ArrayList<>();
        List<Double> doneSeconds = new ArrayList<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.complete() && r.rows() >= expectedRows) {
                complete++;
            }
            if (r.complete()) {
                minRows = Math.min(minRows, r.rows());
                maxRows = Math.max(maxRows, r.rows());
                bytes += r.bytes();
                firstByte.add(r.firstByteNanos() / 1e9);
                doneSeconds.add(r.doneNanos() / 1e9);
            } else {
                failures.merge(r.failure(), 1, Integer::sum);
            }
        }
        firstByte.sort(null);
        doneSeconds.sort(null);
        out.put("syncClients", results.size());
        out.put("syncsComplete", complete);
        out.put("rowsExpectedAtLeast", expectedRows);
        out.put("rowsPerSnapshotMin", minRows == Long.MAX_VALUE ? 0 : minRows);
        out.put("rowsPerSnapshotMax", maxRows);
        out.put("snapshotMiB", LoadGen.round(results.isEmpty() || doneSeconds.isEmpty() ? 0
                : bytes / (double) doneSeconds.size() / (1 << 20), 1));
        out.put("totalGiB", LoadGen.round(bytes / (double) (1L << 30), 2));
        out.put("firstByteSecondsMedian", doneSeconds.isEmpty() ? null : LoadGen.round(Bench.median(firstByte), 2));
        out.put("snapshotSecondsMedian", doneSeconds.isEmpty() ? null : LoadGen.round(Bench.median(doneSeconds), 2));
        out.put("snapshotSecondsMax", doneSeconds.isEmpty() ? null : LoadGen.round(doneSeconds.get(doneSeconds.size() - 1), 2));
        if (!failures.isEmpty()) {
            out.put("syncFailures", failures);
        }
        return out;
    }

    /** One blocking WebSocket client connection. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private byte[] payload = new byte[64 * 1024];

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
            this.out = socket.getOutputStream();
        }

        static Client connect(String host, int port) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 30_000);
            socket.setSoTimeout(300_000);
            Client client = new Client(socket);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            client.out.write(("GET /staff-sync HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            client.skipHttpHeader();
            return client;
        }

        private void skipHttpHeader() throws IOException {
            StringBuilder status = new StringBuilder();
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("closed during the handshake");
                }
                if (status.length() < 12) {
                    status.append((char) c);
                }
                matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            if (!status.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("handshake refused: " + status);
            }
        }

        void readUntilAck() throws IOException {
            while (!readWholeText().startsWith("{\"type\":\"CONNECTION_ACK\"")) {
                // events before the ack cannot come; anything else is skipped
            }
        }

        /** The next whole text message (small ones only: used for acks and broadcasts). */
        String readWholeText() throws IOException {
            StringBuilder text = new StringBuilder();
            while (true) {
                int header = nextDataFrame();
                int length = payloadLength;
                text.append(new String(payload, 0, length, StandardCharsets.UTF_8));
                if ((header & 0x80) != 0) {
                    return text.toString();
                }
            }
        }

        /** When {@link #askForEveryRow} sent the request (0: not yet); set by the storm's thread. */
        private volatile long askedNanos;

        /** Sends {@code SYNC_REQUEST {}}; a failure shows as this client's reader failing. */
        void askForEveryRow(String clientId) {
            askedNanos = System.nanoTime();
            try {
                sendText("{\"type\":\"SYNC_REQUEST\",\"payload\":{},\"clientId\":\"" + clientId
                        + "\",\"sequenceNumber\":1}");
            } catch (IOException e) {
                close();
            }
        }

        /**
         * Reads until the SYNC_RESPONSE has ended, counting its rows (every row is one JSON object;
         * the message's own envelope and payload are two more). Events before it are skipped: they
         * come to every connected client, before the request as after it.
         */
        Result readSnapshot() throws IOException {
            long firstByte = 0;
            long braces = 0;
            long bytes = 0;
            boolean inside = false;
            while (true) {
                int header = nextDataFrame();
                int opcode = header & 0x0f;
                boolean fin = (header & 0x80) != 0;
                if (!inside) {
                    if (opcode != 1 || !startsWith("{\"type\":\"SYNC_RESPONSE\"")) {
                        continue; // an event broadcast before the reply
                    }
                    inside = true;
                    firstByte = System.nanoTime() - askedNanos; // the reply cannot come before the request
                } else if (opcode != 0) {
                    return new Result(false, 0, bytes, firstByte, 0, "a message inside the snapshot's fragments");
                }
                bytes += payloadLength;
                braces += countBraces(payload, payloadLength);
                if (fin) {
                    return new Result(true, braces - 2, bytes, firstByte, System.nanoTime() - askedNanos, null);
                }
            }
        }

        private int payloadLength;

        /** Reads frames until a data frame; its payload is then in {@link #payload}. Answers pings. */
        private int nextDataFrame() throws IOException {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                if (length > Integer.MAX_VALUE - 8) {
                    throw new IOException("frame of " + length + " bytes");
                }
                if (payload.length < length) {
                    payload = new byte[(int) Math.max(length, payload.length * 2L)];
                }
                in.readFully(payload, 0, (int) length);
                payloadLength = (int) length;
                int opcode = b0 & 0x0f;
                if (opcode == 9) {
                    sendFrame(0x8A, payload, payloadLength); // pong
                } else if (opcode == 8) {
                    int code = length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                    throw new EOFException("closed by the server with " + code);
                } else if (opcode <= 2) {
                    return b0;
                }
            }
        }

        private boolean startsWith(String prefix) {
            byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
            if (payloadLength < p.length) {
                return false;
            }
            for (int i = 0; i < p.length; i++) {
                if (payload[i] != p[i]) {
                    return false;
                }
            }
            return true;
        }

        void sendText(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            sendFrame(0x81, bytes, bytes.length);
        }

        private synchronized void sendFrame(int b0, byte[] data, int length) throws IOException {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
            byte[] frame = new byte[header + 4 + length];
            frame[0] = (byte) b0;
            if (length < 126) {
                frame[1] = (byte) (0x80 | length);
            } else if (length <= 0xFFFF) {
                frame[1] = (byte) (0x80 | 126);
                frame[2] = (byte) (length >>> 8);
                frame[3] = (byte) length;
            } else {
                frame[1] = (byte) (0x80 | 127);
                for (int i = 0; i < 8; i++) {
                    frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
                }
            }
            System.arraycopy(mask, 0, frame, header, 4);
            for (int i = 0; i < length; i++) {
                frame[header + 4 + i] = (byte) (data[i] ^ mask[i & 3]);
            }
            out.write(frame);
            out.flush();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
