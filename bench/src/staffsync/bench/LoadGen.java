package staffsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load generator: raw NIO WebSocket clients (RFC 6455, masked client frames) on a few
 * threads, so 10,000 connections cost little. It speaks PROTOCOL.md to staff-sync ("full" form:
 * each publisher creates its own row, then sends STAFF_UPDATE with the right version, and
 * every broadcast's sequenceNumber is checked for gaps) and the same messages to the raw
 * broadcast peers, which simply echo them to everyone.
 *
 * <p>Every update carries a marker in its {@code position} field, {@code @@<publisher>:<seq>:},
 * which the receivers find with a byte scan: latency is the time from the send (or, at a fixed
 * rate, the time the send was due, so a late sender does not hide server delay) to the receipt
 * at each subscriber. Publishers' own copies are not counted as deliveries.
 */
final class LoadGen {
    static final long LATE_NANOS = 100_000_000L; // "propagated to every client in under 100 ms"
    private static final int RING = 1 << 15;
    private static final int MASK = RING - 1;
    private static final byte[] SEQ_KEY = "\"sequenceNumber\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION_KEY = "\"version\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CODE_KEY = "\"code\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CURRENT_KEY = "\"current\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACK_PREFIX = "{\"type\":\"CONNECTION_ACK\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR_PREFIX = "{\"type\":\"ERROR\"".getBytes(StandardCharsets.US_ASCII);
    /**
     * {@code -Dbench.check=parse} (BENCH_CHECK=parse): besides the byte scan, parse every received
     * message into a JSON tree, as a client (or a generator written with a JSON library) does. It
     * shows what a generator's own cost per delivery does to the figures: see docs/benchmarks.md.
     */
    private static final boolean PARSE_EVERY_MESSAGE = "parse".equals(System.getProperty("bench.check", "scan"));

    /**
     * One run's shape. {@code ratePerPublisher <= 0}: as fast as the window allows.
     * {@code secondPort > 0} (scenario (r)): every other connection, subscribers and publishers
     * alike, goes to that port instead, a second instance of the same server.
     */
    record Spec(String host, int port, boolean full, int subscribers, int publishers, double ratePerPublisher,
                int window, int messageBytes, long warmupMs, long measureMs, long drainMs, int slowConsumers,
                long slowAfterMs, long holdMs, boolean singleBroadcast, int ioThreads, String runId, int secondPort) {

        /** One server on one port. */
        Spec(String host, int port, boolean full, int subscribers, int publishers, double ratePerPublisher,
             int window, int messageBytes, long warmupMs, long measureMs, long drainMs, int slowConsumers,
             long slowAfterMs, long holdMs, boolean singleBroadcast, int ioThreads, String runId) {
            this(host, port, full, subscribers, publishers, ratePerPublisher, window, messageBytes, warmupMs, measureMs,
                    drainMs, slowConsumers, slowAfterMs, holdMs, singleBroadcast, ioThreads, runId, 0);
        }

        /** The port connection number {@code connectionIndex} goes to. */
        int portFor(int connectionIndex) {
            return secondPort > 0 && connectionIndex % 2 == 1 ? secondPort : port;
        }
    }

    /** Called at the edges of the measured window (the bench samples the server's /proc there). */
    interface Probe {
        Probe NONE = new Probe() {
            @Override
            public void measureStarted() {
                // nothing to sample
            }

            @Override
            public void measureEnded() {
                // nothing to sample
            }
        };

        void measureStarted();

        void measureEnded();
    }

    private final Spec spec;
    private final Probe probe;
    private final List<String> accessTokens;
    private final IoThread[] threads;
    private final List<Conn> subscribers = new ArrayList<>();
    private final Pub[] pubs;
    private final LongAdder measuredReceived = new LongAdder();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, String> failures = new TreeMap<>();
    private volatile long sendFrom = Long.MAX_VALUE; // publishers send from here ...
    /** Seconds of the measurement window whose worst delivery is kept (worstMsBySecond). */
    private static final int SECONDS_TRACKED = 600;
    private volatile long measureStart = Long.MAX_VALUE; // ... measured from here ...
    private volatile long measureEnd = Long.MAX_VALUE; // ... and stop here
    private volatile int completionTarget = Integer.MAX_VALUE;
    private volatile boolean stopping;

    LoadGen(Spec spec, Probe probe) {
        this(spec, probe, List.of());
    }

    /** @param accessTokens empty, or one token per connection, sent as {@code ?access_token=} (BENCH_AUTH=jwt) */
    LoadGen(Spec spec, Probe probe, List<String> accessTokens) {
        this.accessTokens = accessTokens;
        this.spec = spec;
        this.probe = probe;
        this.threads = new IoThread[spec.ioThreads()];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new IoThread(t);
        }
        int index = 0;
        for (int s = 0; s < spec.subscribers(); s++, index++) {
            Conn c = new Conn(index, threads[index % threads.length], null);
            c.slow = s < spec.slowConsumers();
            c.lastPubSeq = new int[spec.publishers()];
            subscribers.add(c);
            c.thread.conns.add(c);
        }
        pubs = new Pub[spec.publishers()];
        for (int p = 0; p < spec.publishers(); p++, index++) {
            Pub pub = new Pub(p, "bench-" + spec.runId() + "-p" + p, "bench-" + spec.runId() + "-pub" + p);
            Conn c = new Conn(index, threads[index % threads.length], pub);
            pub.conn = c;
            pubs[p] = pub;
            c.thread.conns.add(c);
        }
    }

    /** Runs the whole scenario and returns its figures. */
    Map<String, Object> run() throws Exception {
        long began = System.nanoTime();
        for (IoThread t : threads) {
            t.start();
        }
        int total = spec.subscribers() + spec.publishers();
        long connectDeadline = System.nanoTime() + 120_000_000_000L;
        while (opened.get() + failed.get() < total && System.nanoTime() < connectDeadline) {
            Thread.sleep(20);
        }
        double connectSeconds = (System.nanoTime() - began) / 1e9;
        // Rows first (full protocol): each publisher creates its own, and waits for the broadcast.
        for (Pub p : pubs) {
            if (spec.full()) {
                p.conn.thread.post(() -> p.conn.thread.sendCreate(p));
            } else {
                p.ready = p.conn.state == Conn.OPEN;
            }
        }
        long readyDeadline = System.nanoTime() + 15_000_000_000L;
        while (!allReady() && System.nanoTime() < readyDeadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // let the creation broadcasts reach everyone
        int openSubs = 0;
        int countedSubs = 0;
        for (Conn c : subscribers) {
            if (c.state == Conn.OPEN) {
                openSubs++;
                if (!c.slow) {
                    countedSubs++;
                }
            }
        }
        completionTarget = countedSubs;
        Map<String, Object> out = new LinkedHashMap<>();
        long measuredSent;
        double measureSeconds;
        int heldAtBroadcast = -1;
        if (spec.singleBroadcast()) {
            Thread.sleep(spec.holdMs());
            heldAtBroadcast = 0;
            for (Conn c : subscribers) {
                if (c.state == Conn.OPEN) {
                    heldAtBroadcast++;
                }
            }
            probe.measureStarted();
            long now = System.nanoTime();
            measureStart = now;
            Pub p = pubs[0];
            p.conn.thread.post(() -> p.conn.thread.sendUpdate(p, System.nanoTime(), true));
            long deadline = now + spec.drainMs() * 1_000_000L;
            while (measuredReceived.sum() < countedSubs && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            measureEnd = System.nanoTime();
            probe.measureEnded();
            measuredSent = 1;
            measureSeconds = (measureEnd - now) / 1e9;
        } else {
            long start = System.nanoTime() + 5_000_000L;
            measureStart = start + spec.warmupMs() * 1_000_000L;
            measureEnd = measureStart + spec.measureMs() * 1_000_000L;
            sendFrom = start;
            for (IoThread t : threads) {
                t.selector.wakeup();
            }
            sleepUntil(measureStart);
            probe.measureStarted();
            sleepUntil(measureEnd);
            probe.measureEnded();
            measureSeconds = spec.measureMs() / 1000.0;
            Thread.sleep(5); // publishers see the end
            long deadline = System.nanoTime() + spec.drainMs() * 1_000_000L;
            measuredSent = sumMeasuredSent();
            while (measuredReceived.sum() < measuredSent * countedSubs && System.nanoTime() < deadline) {
                Thread.sleep(10);
                measuredSent = sumMeasuredSent();
            }
        }
        // The slow consumers read again: were they closed by the server, and when?
        int slowDropped = 0;
        if (spec.slowConsumers() > 0) {
            for (Conn c : subscribers) {
                if (c.slow) {
                    c.thread.post(() -> c.thread.resume(c));
                }
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && subscribers.stream().anyMatch(c -> c.slow && c.state == Conn.OPEN)) {
                Thread.sleep(20);
            }
            for (Conn c : subscribers) {
                if (c.slow && c.state != Conn.OPEN) {
                    slowDropped++;
                }
            }
        }
        int stillOpen = 0;
        for (Conn c : subscribers) {
            if (c.state == Conn.OPEN && !c.slow) {
                stillOpen++;
            }
        }
        stopping = true;
        for (IoThread t : threads) {
            t.selector.wakeup();
        }
        for (IoThread t : threads) {
            t.join(10_000);
        }
        // ---- figures ----
        Histogram latency = new Histogram();
        long deliveries = 0;
        long reads = 0;
        long readBytes = 0;
        long late = 0;
        long gaps = 0;
        long duplicates = 0;
        long serverSeqGaps = 0;
        long versionMismatches = 0;
        Map<String, Long> errors = new TreeMap<>();
        Map<String, Long> closeCodes = new TreeMap<>();
        long[] worstBySecond = new long[SECONDS_TRACKED];
        for (IoThread t : threads) {
            for (int i = 0; i < SECONDS_TRACKED; i++) {
                worstBySecond[i] = Math.max(worstBySecond[i], t.worstBySecond[i]);
            }
            latency.add(t.latency);
            deliveries += t.measuredDeliveries;
            reads += t.measuredReads;
            readBytes += t.measuredReadBytes;
            late += t.late;
            gaps += t.gaps;
            duplicates += t.duplicates;
            serverSeqGaps += t.serverSeqGaps;
            versionMismatches += t.versionMismatches;
            t.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            t.closeCodes.forEach((k, v) -> closeCodes.merge(k, v, Long::sum));
        }
        long expected = measuredSent * countedSubs;
        out.put("connections", total);
        out.put("connected", opened.get());
        out.put("connectFailed", failed.get());
        out.put("connectSuccessRate", total == 0 ? 0.0 : opened.get() / (double) total);
        out.put("connectSeconds", round(connectSeconds, 2));
        // All connects from the first to the last handshake's answer: what authentication slows (issue 11).
        out.put("connectsPerSecond", connectSeconds == 0 ? 0.0 : round(opened.get() / connectSeconds, 0));
        if (!failures.isEmpty()) {
            out.put("connectFailures", new TreeMap<>(failures));
        }
        out.put("subscribersOpen", openSubs);
        out.put("subscribersCounted", countedSubs);
        out.put("subscribersOpenAtEnd", stillOpen);
        if (heldAtBroadcast >= 0) {
            out.put("subscribersHeldAtBroadcast", heldAtBroadcast);
        }
        out.put("messagesSent", measuredSent);
        out.put("measureSeconds", round(measureSeconds, 3));
        out.put("deliveries", deliveries);
        out.put("deliveriesExpected", expected);
        out.put("deliveriesPerSecond", round(deliveries / measureSeconds, 0));
        // What the generator's reads look like: many small reads cost it more per delivery.
        out.put("loadgenReadsPerDelivery", deliveries == 0 ? null : round(reads / (double) deliveries, 3));
        out.put("loadgenBytesPerRead", reads == 0 ? null : round(readBytes / (double) reads, 0));
        out.put("lost", Math.max(0, expected - deliveries));
        out.put("late", late);
        out.put("gaps", gaps);
        out.put("duplicates", duplicates);
        if (spec.full()) {
            out.put("serverSequenceGaps", serverSeqGaps);
            out.put("versionMismatches", versionMismatches);
        }
        out.put("errors", errors);
        out.put("closeCodes", closeCodes);
        if (spec.slowConsumers() > 0) {
            out.put("slowConsumers", spec.slowConsumers());
            out.put("slowConsumersDropped", slowDropped);
        }
        out.put("latencyMs", latency.summaryMillis());
        // Where in the window the tail was: the worst delivery of each second, in ms.
        List<Double> worst = new ArrayList<>();
        for (int i = 0; i < Math.min(SECONDS_TRACKED, (spec.measureMs() + 999) / 1000); i++) {
            worst.add(round(worstBySecond[i] / 1000.0, 1));
        }
        out.put("worstMsBySecond", worst);
        out.put("_histogram", latency);
        return out;
    }

    private boolean allReady() {
        for (Pub p : pubs) {
            if (!p.ready && p.conn.state == Conn.OPEN) {
                return false;
            }
        }
        return true;
    }

    private long sumMeasuredSent() {
        long n = 0;
        for (Pub p : pubs) {
            n += p.measuredSent;
        }
        return n;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)), 0);
        }
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ---- connections and publishers ----

    static final class Conn {
        static final int NEW = 0;
        static final int CONNECTING = 1;
        static final int HANDSHAKE = 2;
        static final int OPEN = 3;
        static final int CLOSED = 4;

        final int index;
        final IoThread thread;
        final Pub pub;
        volatile int state = NEW;
        SocketChannel channel;
        SelectionKey key;
        byte[] leftover = new byte[0];
        int leftoverLength;
        byte[] fragment;
        int fragmentLength;
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(0);
        long lastServerSeq = -1;
        int[] lastPubSeq;
        boolean slow;
        boolean paused;
        boolean resumed;   // read again at the end: never paused again
        long startedAt;

        Conn(int index, IoThread thread, Pub pub) {
            this.index = index;
            this.thread = thread;
            this.pub = pub;
        }
    }

    static final class Pub {
        final int index;
        final String staffId;
        final String clientId;
        final long[] sendNanos = new long[RING];
        final boolean[] measured = new boolean[RING];
        final AtomicIntegerArray received = new AtomicIntegerArray(RING);
        final AtomicInteger inflight = new AtomicInteger();
        Conn conn;
        volatile boolean ready;
        long nextSeq = 1;
        long versionOffset;
        long nextDue;
        volatile long measuredSent;
        long clientSeq;

        Pub(int index, String staffId, String clientId) {
            this.index = index;
            this.staffId = staffId;
            this.clientId = clientId;
        }
    }

    // ---- one selector thread ----

    final class IoThread extends Thread {
        final Selector selector;
        final List<Conn> conns = new ArrayList<>();
        final List<Pub> myPubs = new ArrayList<>();
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        ByteBuffer readBuffer = ByteBuffer.allocate(1 << 16);
        final Histogram latency = new Histogram();
        /** The longest delivery of each second of the measurement (by when it was sent), in µs. */
        final long[] worstBySecond = new long[SECONDS_TRACKED];
        long measuredDeliveries;
        long measuredReads;      // read() calls that returned bytes in the measured window
        long measuredReadBytes;
        long late;
        long gaps;
        long duplicates;
        long serverSeqGaps;
        long versionMismatches;
        final Map<String, Long> errors = new TreeMap<>();
        final Map<String, Long> closeCodes = new TreeMap<>();
        private int nextToConnect;
        private int handshaking;
        private final byte[] maskKey = new byte[4];

        IoThread(int index) {
            super("loadgen-" + index);
            setDaemon(true);
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void post(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        @Override
        public void run() {
            for (Conn c : conns) {
                if (c.pub != null) {
                    myPubs.add(c.pub);
                }
            }
            try {
                while (!stopping) {
                    connectMore();
                    long timeout = publish();
                    selector.select(this::onKey, timeout);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    pauseSlow();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                for (Conn c : conns) {
                    closeQuietly(c);
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        private void connectMore() {
            // Subscribers first (they come first in the list), a bounded number of handshakes at once.
            long now = System.nanoTime();
            while (handshaking < 128 && nextToConnect < conns.size()) {
                Conn c = conns.get(nextToConnect++);
                try {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    if (c.slow) {
                        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                    }
                    if (spec.host().startsWith("127.")) {
                        // Several loopback source addresses: 10,000 connections never run short of ports.
                        ch.bind(new InetSocketAddress("127.0.0." + (1 + c.index % 16), 0));
                    }
                    c.channel = ch;
                    c.state = Conn.CONNECTING;
                    c.startedAt = now;
                    handshaking++;
                    if (ch.connect(new InetSocketAddress(spec.host(), spec.portFor(c.index)))) {
                        c.key = ch.register(selector, 0, c);
                        sendHandshake(c);
                    } else {
                        c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
                    }
                } catch (IOException e) {
                    fail(c, e);
                }
            }
            if (handshaking > 0) {
                for (Conn c : conns) {
                    if ((c.state == Conn.CONNECTING || c.state == Conn.HANDSHAKE) && now - c.startedAt > 30_000_000_000L) {
                        fail(c, new IOException("handshake timed out"));
                    }
                }
            }
        }

        private void fail(Conn c, Exception e) {
            if (c.state == Conn.CONNECTING || c.state == Conn.HANDSHAKE || c.state == Conn.NEW) {
                if (c.state != Conn.NEW) {
                    handshaking--;
                }
                failed.incrementAndGet();
                synchronized (failures) {
                    failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), "1",
                            (a, b) -> Integer.toString(Integer.parseInt(a) + 1));
                }
            }
            closeQuietly(c);
        }

        private void closeQuietly(Conn c) {
            c.state = Conn.CLOSED;
            if (c.channel != null) {
                try {
                    c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // already closed
                }
                try {
                    c.channel.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        private void sendHandshake(Conn c) throws IOException {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String path = accessTokens.isEmpty() ? "/staff-sync" : "/staff-sync?access_token=" + accessTokens.get(c.index);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + spec.host() + ":" + spec.portFor(c.index)
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            c.state = Conn.HANDSHAKE;
            c.key.interestOps(SelectionKey.OP_READ);
            write(c, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }

        private void onKey(SelectionKey key) {
            Conn c = (Conn) key.attachment();
            try {
                if (!key.isValid()) {
                    return;
                }
                if (key.isConnectable()) {
                    c.channel.finishConnect();
                    sendHandshake(c);
                    return;
                }
                if (key.isWritable()) {
                    flush(c);
                }
                if (key.isValid() && key.isReadable()) {
                    read(c);
                }
            } catch (IOException | RuntimeException e) {
                if (c.state == Conn.OPEN) {
                    closeCodes.merge(c.slow ? "reset (slow consumer)" : "reset", 1L, Long::sum);
                    closeQuietly(c);
                } else {
                    fail(c, e);
                }
            }
        }

        // ---- writing ----

        private void write(Conn c, ByteBuffer data) throws IOException {
            if (c.out.isEmpty()) {
                c.channel.write(data);
                if (!data.hasRemaining()) {
                    return;
                }
            }
            c.out.add(data);
            c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }

        private void flush(Conn c) throws IOException {
            while (!c.out.isEmpty()) {
                ByteBuffer head = c.out.peek();
                c.channel.write(head);
                if (head.hasRemaining()) {
                    return;
                }
                c.out.poll();
            }
            c.key.interestOps(c.paused ? 0 : SelectionKey.OP_READ);
        }

        /** A masked client frame (RFC 6455 5.3). */
        private ByteBuffer clientFrame(int opcode, byte[] payload) {
            int length = payload.length;
            int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
            ByteBuffer b = ByteBuffer.allocate(header + 4 + length);
            b.put((byte) (0x80 | opcode));
            if (length < 126) {
                b.put((byte) (0x80 | length));
            } else if (length <= 0xFFFF) {
                b.put((byte) (0x80 | 126)).putShort((short) length);
            } else {
                b.put((byte) (0x80 | 127)).putLong(length);
            }
            ThreadLocalRandom.current().nextBytes(maskKey);
            b.put(maskKey);
            for (int i = 0; i < length; i++) {
                b.put((byte) (payload[i] ^ maskKey[i & 3]));
            }
            b.flip();
            return b;
        }

        // ---- publishing ----

        void sendCreate(Pub p) {
            if (p.conn.state != Conn.OPEN) {
                return;
            }
            String json = "{\"type\":\"STAFF_CREATE\",\"payload\":{\"staff\":{\"id\":\"" + p.staffId
                    + "\",\"name\":\"Bench publisher " + p.index + "\",\"department\":\"bench\",\"position\":\"@@"
                    + p.index + ":0:\"}},\"clientId\":\"" + p.clientId + "\",\"sequenceNumber\":" + (p.clientSeq++) + "}";
            try {
                write(p.conn, clientFrame(1, json.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                closeQuietly(p.conn);
            }
        }

        /** Sends the publisher's next update; {@code due} is the time latency is measured from. */
        void sendUpdate(Pub p, long due, boolean measured) {
            long seq = p.nextSeq++;
            int slot = (int) (seq & MASK);
            byte[] json = updateMessage(p, seq);
            p.sendNanos[slot] = due;
            p.measured[slot] = measured;
            p.received.set(slot, 0);
            p.inflight.incrementAndGet();
            if (measured) {
                p.measuredSent++;
            }
            try {
                write(p.conn, clientFrame(1, json));
            } catch (IOException e) {
                closeQuietly(p.conn);
            }
        }

        private byte[] updateMessage(Pub p, long seq) {
            long version = seq + p.versionOffset;
            String head = "{\"type\":\"STAFF_UPDATE\",\"payload\":{\"staffId\":\"" + p.staffId
                    + "\",\"changes\":{\"position\":\"@@" + p.index + ":" + seq + ":";
            String tail = "\"},\"version\":" + version + "},\"clientId\":\"" + p.clientId + "\",\"sequenceNumber\":"
                    + (p.clientSeq++) + "}";
            int pad = Math.max(1, Math.min(180, spec.messageBytes() - head.length() - tail.length()));
            return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
        }

        /** Sends what is due; returns how long the selector may sleep, in ms. */
        private long publish() {
            if (myPubs.isEmpty() || spec.singleBroadcast()) {
                return 10;
            }
            long now = System.nanoTime();
            if (now < sendFrom) {
                return 10;
            }
            long end = measureEnd;
            long sleep = 10;
            for (Pub p : myPubs) {
                if (!p.ready || p.conn.state != Conn.OPEN) {
                    continue;
                }
                if (spec.ratePerPublisher() > 0) {
                    long interval = (long) (1e9 / spec.ratePerPublisher());
                    if (p.nextDue == 0) {
                        p.nextDue = sendFrom + interval * p.index / Math.max(1, pubs.length);
                    }
                    while (p.nextDue <= now && p.nextDue < end) {
                        sendUpdate(p, p.nextDue, p.nextDue >= measureStart);
                        p.nextDue += interval;
                    }
                    if (p.nextDue < end) {
                        sleep = Math.min(sleep, Math.max(1, (p.nextDue - now + 999_999) / 1_000_000));
                    }
                } else {
                    while (now < end && p.inflight.get() < spec.window()) {
                        sendUpdate(p, System.nanoTime(), now >= measureStart);
                    }
                }
            }
            return sleep;
        }

        private void pauseSlow() {
            if (spec.slowConsumers() == 0 || System.nanoTime() < sendFrom + spec.slowAfterMs() * 1_000_000L) {
                return;
            }
            for (Conn c : conns) {
                if (c.slow && !c.paused && !c.resumed && c.state == Conn.OPEN) {
                    c.paused = true;
                    c.key.interestOps(c.out.isEmpty() ? 0 : SelectionKey.OP_WRITE);
                }
            }
        }

        void resume(Conn c) {
            c.paused = false;
            c.resumed = true;
            if (c.state == Conn.OPEN && c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ | (c.out.isEmpty() ? 0 : SelectionKey.OP_WRITE));
            }
        }

        // ---- reading ----

        private void read(Conn c) throws IOException {
            ByteBuffer buf = readBuffer;
            buf.clear();
            if (c.leftoverLength > 0) {
                buf.put(c.leftover, 0, c.leftoverLength);
                c.leftoverLength = 0;
            }
            int n = c.channel.read(buf);
            long now = System.nanoTime();
            if (n > 0 && now >= measureStart && now < measureEnd) {
                measuredReads++;
                measuredReadBytes += n;
            }
            if (n < 0) {
                closeCodes.merge(c.slow ? "eof (slow consumer)" : "eof", 1L, Long::sum);
                if (c.state == Conn.HANDSHAKE) {
                    fail(c, new IOException("closed during handshake"));
                } else {
                    closeQuietly(c);
                }
                return;
            }
            buf.flip();
            byte[] a = buf.array();
            int pos = 0;
            int lim = buf.limit();
            if (c.state == Conn.HANDSHAKE) {
                int end = indexOf(a, 0, lim, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (end < 0) {
                    keep(c, a, 0, lim);
                    return;
                }
                String status = new String(a, 0, Math.min(end, 40), StandardCharsets.US_ASCII);
                if (!status.startsWith("HTTP/1.1 101")) {
                    fail(c, new IOException("handshake refused: " + status.split("\r\n")[0]));
                    return;
                }
                c.state = Conn.OPEN;
                handshaking--;
                opened.incrementAndGet();
                if (c.pub != null && !spec.full()) {
                    c.pub.ready = true; // peers have no rows to create
                }
                pos = end + 4;
            }
            while (lim - pos >= 2 && c.state == Conn.OPEN) {
                int b0 = a[pos] & 0xff;
                int b1 = a[pos + 1] & 0x7f;
                long length = b1;
                int header = 2;
                if (b1 == 126) {
                    if (lim - pos < 4) {
                        break;
                    }
                    length = ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
                    header = 4;
                } else if (b1 == 127) {
                    if (lim - pos < 10) {
                        break;
                    }
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | (a[pos + 2 + i] & 0xff);
                    }
                    header = 10;
                }
                if (lim - pos < header + length) {
                    if (header + length > readBuffer.capacity()) {
                        readBuffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, 2 * (header + length)));
                    }
                    break;
                }
                onFrame(c, b0, a, pos + header, (int) length);
                pos += header + (int) length;
            }
            if (c.state == Conn.OPEN) {
                keep(c, a, pos, lim);
            }
        }

        private void keep(Conn c, byte[] a, int from, int to) {
            int n = to - from;
            if (n > c.leftover.length) {
                c.leftover = new byte[Math.max(n, 256)];
            }
            System.arraycopy(a, from, c.leftover, 0, n);
            c.leftoverLength = n;
        }

        private void onFrame(Conn c, int b0, byte[] a, int off, int len) throws IOException {
            int opcode = b0 & 0x0f;
            boolean fin = (b0 & 0x80) != 0;
            switch (opcode) {
                case 1, 2 -> {
                    if (fin) {
                        onMessage(c, a, off, len);
                    } else {
                        c.fragment = new byte[Math.max(1024, len * 2)];
                        System.arraycopy(a, off, c.fragment, 0, len);
                        c.fragmentLength = len;
                    }
                }
                case 0 -> {
                    if (c.fragment == null) {
                        return;
                    }
                    if (c.fragmentLength + len > c.fragment.length) {
                        c.fragment = java.util.Arrays.copyOf(c.fragment, 2 * (c.fragmentLength + len));
                    }
                    System.arraycopy(a, off, c.fragment, c.fragmentLength, len);
                    c.fragmentLength += len;
                    if (fin) {
                        byte[] whole = c.fragment;
                        int wholeLength = c.fragmentLength;
                        c.fragment = null;
                        onMessage(c, whole, 0, wholeLength);
                    }
                }
                case 8 -> {
                    int code = len >= 2 ? ((a[off] & 0xff) << 8) | (a[off + 1] & 0xff) : 1005;
                    closeCodes.merge((c.slow ? "slow consumer " : "") + code, 1L, Long::sum);
                    closeQuietly(c);
                }
                case 9 -> {
                    byte[] payload = java.util.Arrays.copyOfRange(a, off, off + len);
                    write(c, clientFrame(10, payload));
                }
                default -> {
                    // pong or reserved: nothing to do
                }
            }
        }

        private void onMessage(Conn c, byte[] a, int off, int len) {
            int end = off + len;
            if (spec.full()) {
                onLine(c, a, off, end);
                return;
            }
            // The Go design joins queued messages into one frame, one per line.
            int start = off;
            for (int i = off; i < end; i++) {
                if (a[i] == '\n') {
                    onLine(c, a, start, i);
                    start = i + 1;
                }
            }
            onLine(c, a, start, end);
        }

        private void onLine(Conn c, byte[] a, int s, int e) {
            if (PARSE_EVERY_MESSAGE && !com.google.gson.JsonParser.parseString(new String(a, s, e - s, StandardCharsets.UTF_8))
                    .getAsJsonObject().has("type")) {
                errors.merge("no type", 1L, Long::sum);
            }
            int m = -1;
            for (int i = s; i < e - 1; i++) {
                if (a[i] == '@' && a[i + 1] == '@') {
                    m = i + 2;
                    break;
                }
            }
            if (m < 0) {
                control(c, a, s, e);
                return;
            }
            long now = System.nanoTime();
            int pub = 0;
            while (a[m] != ':') {
                pub = pub * 10 + (a[m++] - '0');
            }
            m++;
            long seq = 0;
            while (a[m] != ':') {
                seq = seq * 10 + (a[m++] - '0');
            }
            if (spec.full()) {
                long serverSeq = numberAfterLast(a, s, e, SEQ_KEY);
                if (c.lastServerSeq >= 0 && serverSeq != c.lastServerSeq + 1) {
                    serverSeqGaps++;
                }
                c.lastServerSeq = serverSeq;
            }
            if (c.pub != null) {
                if (pub == c.pub.index) {
                    onEcho(c.pub, seq, a, m, e);
                }
                return;
            }
            if (c.slow || seq == 0 || pub >= pubs.length) {
                return;
            }
            int last = c.lastPubSeq[pub];
            if (seq != last + 1) {
                if (seq <= last) {
                    duplicates++;
                } else {
                    gaps += seq - last - 1;
                }
            }
            c.lastPubSeq[pub] = (int) seq;
            Pub p = pubs[pub];
            int slot = (int) (seq & MASK);
            int count = p.received.incrementAndGet(slot);
            if (p.measured[slot]) {
                long took = now - p.sendNanos[slot];
                latency.record(took / 1000);
                int second = (int) ((p.sendNanos[slot] - measureStart) / 1_000_000_000L);
                if (second >= 0 && second < SECONDS_TRACKED) {
                    worstBySecond[second] = Math.max(worstBySecond[second], took / 1000);
                }
                measuredDeliveries++;
                measuredReceived.increment();
                if (took > LATE_NANOS) {
                    late++;
                }
            }
            if (count == completionTarget) {
                p.inflight.decrementAndGet();
                if (p.conn.thread != this) {
                    p.conn.thread.selector.wakeup();
                }
            }
        }

        private void onEcho(Pub p, long seq, byte[] a, int from, int e) {
            if (seq == 0) {
                p.ready = true;
                return;
            }
            if (spec.full()) {
                long version = numberAfter(a, from, e, VERSION_KEY);
                if (version != seq + p.versionOffset + 1) {
                    versionMismatches++;
                }
            }
        }

        private void control(Conn c, byte[] a, int s, int e) {
            if (!spec.full()) {
                return;
            }
            if (startsWith(a, s, e, ACK_PREFIX)) {
                c.lastServerSeq = numberAfterLast(a, s, e, SEQ_KEY);
            } else if (startsWith(a, s, e, ERROR_PREFIX)) {
                int at = indexOf(a, s, e, CODE_KEY);
                String code = "?";
                if (at >= 0) {
                    int from = at + CODE_KEY.length;
                    int to = from;
                    while (to < e && a[to] != '"') {
                        to++;
                    }
                    code = new String(a, from, to - from, StandardCharsets.US_ASCII);
                }
                errors.merge(code, 1L, Long::sum);
                if (c.pub != null) {
                    Pub p = c.pub;
                    // The change was not applied: its window slot is free, and a conflict tells the real version.
                    p.inflight.decrementAndGet();
                    int cur = indexOf(a, s, e, CURRENT_KEY);
                    if (code.equals("VERSION_CONFLICT") && cur >= 0) {
                        long version = numberAfter(a, cur, e, VERSION_KEY);
                        p.versionOffset = version - p.nextSeq;
                    }
                }
            }
        }
    }

    // ---- byte scanning ----

    static boolean startsWith(byte[] a, int s, int e, byte[] prefix) {
        if (e - s < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[s + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(byte[] a, int s, int e, byte[] key) {
        outer:
        for (int i = s; i <= e - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (a[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static long numberAfter(byte[] a, int s, int e, byte[] key) {
        int at = indexOf(a, s, e, key);
        return at < 0 ? -1 : digits(a, at + key.length, e);
    }

    static long numberAfterLast(byte[] a, int s, int e, byte[] key) {
        outer:
        for (int i = e - key.length; i >= s; i--) {
            for (int j = 0; j < key.length; j++) {
                if (a[i + j] != key[j]) {
                    continue outer;
                }
            }
            return digits(a, i + key.length, e);
        }
        return -1;
    }

    private static long digits(byte[] a, int i, int e) {
        long v = 0;
        while (i < e && a[i] >= '0' && a[i] <= '9') {
            v = v * 10 + (a[i++] - '0');
        }
        return v;
    }
}
