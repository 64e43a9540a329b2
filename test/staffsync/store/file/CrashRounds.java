package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import staffsync.support.ServerProcess;

/**
 * Rounds of: start the real server on one data directory, audit it against everything
 * acknowledged so far, let 8 clients write, kill -9 at a random moment. A final start audits
 * the last round. The seed is printed so a failing run can be replayed with
 * {@code make test SEED=... TESTS="--select-class ..."} (which sets {@code -Dseed}; the older
 * {@code -Dstaffsync.crash.seed} still wins when given).
 */
final class CrashRounds {
    static final int CLIENTS = 8;

    private final Path dataDir;
    private final Map<String, String> env;
    private final long seed;
    private final Random random;
    private final ConcurrentSkipListMap<Long, String> acknowledged = new ConcurrentSkipListMap<>();
    private String epoch;
    private long lastSequence;

    CrashRounds(Path dataDir, Map<String, String> extraEnv, Class<?> test) {
        this.dataDir = dataDir;
        this.env = new HashMap<>(extraEnv);
        env.put("STORE", "file");
        env.put("DATA_DIR", dataDir.toString());
        env.put("HISTORY_SIZE", "1000000"); // the audit replays everything since 0
        env.put("RATE_LIMIT_PER_SECOND", "100000");
        env.put("RATE_LIMIT_BURST", "100000");
        env.put("MAX_WRITES_PER_SECOND", "1000000");
        this.seed = Long.getLong("staffsync.crash.seed", Long.getLong("seed", System.nanoTime()));
        this.random = new Random(seed);
        System.out.println(test.getSimpleName() + ": seed " + seed + " (replay with: make test SEED=" + seed
                + " TESTS=\"--select-class " + test.getName() + "\")");
    }

    /** Runs the rounds; each kill comes between {@code minKillMs} and {@code maxKillMs} after writing starts. */
    void run(int rounds, int minKillMs, int maxKillMs) throws Exception {
        for (int round = 0; round < rounds; round++) {
            int killAfterMs = minKillMs + random.nextInt(maxKillMs - minKillMs + 1);
            try (ServerProcess server = startAndAudit("before round " + round)) {
                ConcurrentHashMap<Long, String> received = new ConcurrentHashMap<>();
                WriterClients writers = new WriterClients(received);
                writers.start(server.wsUri(), CLIENTS, "i" + round, random.nextLong());
                Thread.sleep(killAfterMs); // not a wait: the kill comes at a random moment of the writing
                server.kill();
                writers.stop();
                writers.awaitFinished();
                acknowledged.putAll(received);
            }
        }
        try (ServerProcess server = startAndAudit("after the last round")) {
            assertTrue(lastSequence > 0, "no change was ever acknowledged; seed " + seed);
        }
        System.out.println(rounds + " rounds: " + acknowledged.size() + " events acknowledged, " + lastSequence
                + " logged; seed " + seed);
    }

    long seed() {
        return seed;
    }

    Path dataDir() {
        return dataDir;
    }

    private ServerProcess startAndAudit(String when) throws Exception {
        ServerProcess server = ServerProcess.start(env);
        String context = "seed " + seed + ", " + when + ", acknowledged up to "
                + (acknowledged.isEmpty() ? 0 : acknowledged.lastKey());
        try {
            LogAudit.Result result = LogAudit.audit(server.wsUri(), acknowledged, epoch, context);
            assertTrue(result.sequence() >= lastSequence, "the sequence went back; " + context);
            epoch = result.epoch();
            lastSequence = result.sequence();
            return server;
        } catch (Throwable e) {
            System.out.println("server log:\n" + server.log());
            server.close();
            throw e;
        }
    }
}
