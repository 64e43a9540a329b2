package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.store.supabase.StoreFixture.CLIENT;
import static staffsync.store.supabase.StoreFixture.create;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.store.MutationResult;
import staffsync.support.RecordingListener;

/** The key never appears in a log record, a health report or a client-facing message. */
class KeySecrecyTest {
    /** Keeps every record, formatted as the server's log would print it (message, parameters, stack trace). */
    private static final class CapturingHandler extends Handler {
        private final SimpleFormatter formatter = new SimpleFormatter();
        private final List<String> lines = new ArrayList<>(); // guarded by this

        @Override
        public synchronized void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        synchronized String all() {
            return String.join("\n", lines);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private final Logger root = Logger.getLogger("");
    private final CapturingHandler captured = new CapturingHandler();
    private Level previousLevel;
    /** Not registered as an extension: its start and close must fall inside the log capture. */
    private final StoreFixture fixture = new StoreFixture();

    @BeforeEach
    void setUp() throws Exception {
        previousLevel = root.getLevel();
        root.setLevel(Level.ALL);
        Logger.getLogger("staffsync").setLevel(Level.ALL);
        captured.setLevel(Level.ALL);
        root.addHandler(captured);
        fixture.startStandIn();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        root.removeHandler(captured);
        root.setLevel(previousLevel);
        Logger.getLogger("staffsync").setLevel(null);
    }

    /** Success, a missing table, an outage, a lost answer and a refused key, all logged at every level. */
    private String everythingTheStoreSaysWith(String key) throws Exception {
        StringBuilder said = new StringBuilder();
        SupabaseStore store = fixture.newStore(key, "staff_members");
        store.start(fixture.listener);
        fixture.listener.awaitLoaded(StoreFixture.WAIT);
        said.append(store.apply(create("a", "Ada"), CLIENT));
        fixture.standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        said.append(store.apply(create("b", "Bo"), CLIENT));
        fixture.standIn.beginOutage(PostgrestStandIn.Fault.GATEWAY_502_JSON);
        said.append(store.apply(create("c", "Cy"), CLIENT)).append(store.health());
        fixture.standIn.endOutage();

        SupabaseStore noTable = fixture.newStore(key, "missing_table");
        noTable.start(new RecordingListener());
        awaitAFailure(noTable);
        said.append(noTable.health()).append(noTable.apply(create("d", "Di"), CLIENT));

        String refusedKey = key.startsWith("sb_") ? key + "x" : key.substring(0, key.length() - 2) + "xx";
        SupabaseStore refused = fixture.newStore(refusedKey, "staff_members");
        refused.start(new RecordingListener());
        awaitAFailure(refused);
        MutationResult result = refused.apply(create("e", "Ed"), CLIENT);
        said.append(refused.health()).append(result);
        assertFalse(said.toString().contains(refusedKey));
        assertFalse(captured.all().contains(refusedKey));
        return said + "\n" + captured.all();
    }

    /** Waits until the store's first load attempt has failed (the machine may be busy). */
    private static void awaitAFailure(SupabaseStore store) throws InterruptedException {
        long deadline = System.nanoTime() + StoreFixture.WAIT.toNanos();
        while (HealthTracker.NOT_LOADED_YET.equals(store.health().lastError()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aSecretKeyNeverAppearsInLogsHealthOrMessages() throws Exception {
        String everything = everythingTheStoreSaysWith(PostgrestStandIn.SECRET_KEY);
        assertTrue(everything.contains("PGRST205") && everything.contains("502"), "the failures were exercised");
        assertFalse(everything.contains(PostgrestStandIn.SECRET_KEY));
        assertFalse(everything.contains("StandInSecretKey"));
    }

    @Test
    void aLegacyJwtKeyNeverAppearsInLogsHealthOrMessages() throws Exception {
        String everything = everythingTheStoreSaysWith(PostgrestStandIn.LEGACY_KEY);
        assertFalse(everything.contains(PostgrestStandIn.LEGACY_KEY));
        assertFalse(everything.contains(PostgrestStandIn.LEGACY_KEY.split("\\.")[2]));
    }
}
