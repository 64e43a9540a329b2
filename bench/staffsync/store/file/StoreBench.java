package staffsync.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.protocol.StaffRow;
import staffsync.store.CommitListener;
import staffsync.store.MemoryStore;
import staffsync.store.MutationResult;
import staffsync.store.RowTable;
import staffsync.store.StaffStore;
import staffsync.store.StoreState;

/**
 * Store-level benchmark, not a test. In the package of the file store so it can write a large
 * log directly. Modes:
 * <pre>
 *   writes DIR               memory vs file, 1/8/64 writers, 3 runs each: writes/s and p99 latency
 *   generate DIR N SNAPSHOT  a log of N events (SNAPSHOT true: plus a snapshot 1000 events before the end)
 *   startup DIR              time to open and load DIR (run in a fresh JVM for a cold start)
 * </pre>
 */
public final class StoreBench {
    private static final CommitListener NO_OP = new CommitListener() {
        @Override
        public void loaded(StoreState state) {
        }

        @Override
        public void committed(ChangeEvent event) {
        }
    };

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "writes" -> writes(Path.of(args[1]), args.length > 2 ? Long.parseLong(args[2]) : 2000);
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
            case "startup" -> startup(Path.of(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ---- writes/s and p99 ----

    private record Run(double writesPerSecond, double p99Micros) {}

    private static void writes(Path base, long millis) throws Exception {
        System.out.printf("%-7s %8s %14s %14s   (median of 3 runs, %d ms each)%n", "store", "writers", "writes/s",
                "p99 latency", millis);
        for (int writers : new int[] {1, 8, 64}) {
            for (String kind : new String[] {"memory", "file"}) {
                List<Run> runs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Path dir = base.resolve(kind + "-" + writers + "-" + i);
                    try (StaffStore store = kind.equals("memory") ? new MemoryStore()
                            : FileStore.open(dir, new FileStore.Options(64L << 20, 10_000))) {
                        store.start(NO_OP);
                        runs.add(measure(store, writers, millis));
                    }
                    deleteTree(dir);
                }
                double[] rates = runs.stream().mapToDouble(Run::writesPerSecond).sorted().toArray();
                double[] p99s = runs.stream().mapToDouble(Run::p99Micros).sorted().toArray();
                System.out.printf("%-7s %8d %14.0f %11.0f µs   runs: %s / %s%n", kind, writers, rates[1], p99s[1],
                        Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()),
                        Arrays.toString(Arrays.stream(p99s).mapToLong(Math::round).toArray()));
            }
        }
    }

    private static Run measure(StaffStore store, int writers, long millis) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        List<long[]> latencies = new ArrayList<>();
        long[] counts = new long[writers];
        CountDownLatch finished = new CountDownLatch(writers);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            long[] mine = new long[4_000_000 / writers + 10_000]; // ~32 MB in all
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                String id = "row-" + writer;
                store.apply(new CreateStaff(id, fields("start")), new Origin("w" + writer, 0L));
                long n = 0;
                int recorded = 0;
                while (!done.get()) {
                    long started = System.nanoTime();
                    MutationResult result = store.apply(new UpdateStaff(id, fields("n" + n), null),
                            new Origin("w" + writer, ++n));
                    long took = System.nanoTime() - started;
                    if (!(result instanceof MutationResult.Applied)) {
                        throw new IllegalStateException(result.toString());
                    }
                    if (measuring.get() && recorded < mine.length) {
                        mine[recorded++] = took;
                    }
                }
                counts[writer] = recorded;
                finished.countDown();
            });
            thread.start();
        }
        Thread.sleep(500); // warm-up
        measuring.set(true);
        long started = System.nanoTime();
        Thread.sleep(millis);
        measuring.set(false);
        long elapsed = System.nanoTime() - started;
        done.set(true);
        finished.await();
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) total];
        int at = 0;
        for (int w = 0; w < writers; w++) {
            System.arraycopy(latencies.get(w), 0, all, at, (int) counts[w]);
            at += (int) counts[w];
        }
        Arrays.sort(all);
        return new Run(total * 1e9 / elapsed, all[(int) Math.min(all.length - 1, Math.floor(all.length * 0.99))] / 1000.0);
    }

    private static StaffFields fields(String name) {
        return new StaffFields(name, null, null, null, null, List.of("name"));
    }

    // ---- a large log, written directly ----

    private static void generate(Path dir, int events, boolean withSnapshot) throws IOException {
        Files.createDirectories(dir);
        DataDirectory directory = new DataDirectory(dir);
        String epoch = "bench-epoch";
        Files.writeString(directory.file(DataDirectory.EPOCH_FILE), epoch + "\n", StandardCharsets.UTF_8);
        int rowCount = 10_000;
        int snapshotAt = withSnapshot ? events - 1000 : 0;
        RowTable table = new RowTable();
        RecentEvents recent = new RecentEvents(10_000);
        String now = "2026-11-25T20:00:00.000Z";
        Path segmentPath = directory.segmentPath(snapshotAt);
        try (FileChannel segment = FileChannel.open(segmentPath, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            for (long seq = 1; seq <= events; seq++) {
                int row = (int) (seq % rowCount);
                String id = "staff-" + row;
                StaffRow current = table.get(id);
                ChangeEvent event = current == null
                        ? new ChangeEvent(seq, ChangeEvent.Kind.CREATE, new StaffRow(id, "Name " + row, "nurse", "ward",
                                "regular", row % 4, 1, now, now), List.of(), now, new Origin("client-" + row % 64, seq))
                        : new ChangeEvent(seq, ChangeEvent.Kind.UPDATE, current.withChanges(new StaffFields(
                                "Name " + seq, null, null, null, null, List.of("name")), now), List.of("name"), now,
                                new Origin("client-" + row % 64, seq));
                table.commit(event);
                recent.add(event);
                if (seq > snapshotAt) {
                    byte[] payload = EventCodec.encode(event);
                    if (buffer.remaining() < RecordFrame.framedSize(payload)) {
                        buffer.flip();
                        segment.write(buffer);
                        buffer.clear();
                    }
                    RecordFrame.write(buffer, payload);
                }
                if (withSnapshot && seq == snapshotAt) {
                    new Snapshot(epoch, seq, table.rows(), recent.list()).writeTo(directory);
                }
            }
            buffer.flip();
            segment.write(buffer);
            segment.force(true);
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(f -> {
                try {
                    System.out.println(f.getFileName() + " " + Files.size(f) + " bytes");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
        }
    }

    private static void startup(Path dir) throws InterruptedException {
        long started = System.nanoTime();
        CountDownLatch loaded = new CountDownLatch(1);
        long[] sequence = new long[1];
        try (FileStore store = FileStore.open(dir, new FileStore.Options(64L << 20, 10_000))) {
            store.start(new CommitListener() {
                @Override
                public void loaded(StoreState state) {
                    sequence[0] = state.sequence();
                    loaded.countDown();
                }

                @Override
                public void committed(ChangeEvent event) {
                }
            });
            loaded.await();
            System.out.printf("loaded sequence %d in %d ms%n", sequence[0], (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
