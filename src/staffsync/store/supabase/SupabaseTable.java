package staffsync.store.supabase;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.protocol.StaffFields;
import staffsync.protocol.StaffRow;

/**
 * The staff table as the store sees it: typed reads and compare-and-set writes over
 * {@link PostgrestClient}. Every call's outcome is recorded in {@link HealthTracker}.
 *
 * <p>Reads are idempotent, so a read that got no answer or a 5xx is tried again a few times;
 * writes are sent exactly once and their failures passed up for the caller to reconcile.
 * Thread-safe: no mutable state of its own.
 */
final class SupabaseTable {
    /** PostgREST caps a response at db-max-rows (1000 on hosted Supabase), so pages stay within it. */
    static final int PAGE_SIZE = 1000;
    private static final int READ_ATTEMPTS = 3;
    private static final long READ_RETRY_BASE_MS = 100;
    private static final Logger LOG = Logger.getLogger(SupabaseTable.class.getName());

    private final PostgrestClient client;
    private final HealthTracker health;

    SupabaseTable(PostgrestClient client, HealthTracker health) {
        this.client = client;
        this.health = health;
    }

    /**
     * Every row, in pages ordered by id. Pages continue after the last id seen ({@code id=gt.X})
     * rather than by offset, so a row inserted or deleted meanwhile cannot shift another row out
     * of sight; and the loop stops only at an empty page, so a server cap below {@link #PAGE_SIZE}
     * cannot end it early.
     */
    List<StaffRow> readAll() throws PostgrestException, IOException {
        List<StaffRow> rows = new ArrayList<>();
        for (JsonObject json : readAllPages("*")) {
            rows.add(RowJson.toRow(json));
        }
        return rows;
    }

    /** Every id: for noticing rows deleted outside the server. Same paging as {@link #readAll}. */
    List<String> readAllIds() throws PostgrestException, IOException {
        List<String> ids = new ArrayList<>();
        for (JsonObject json : readAllPages("id")) {
            ids.add(json.get("id").getAsString());
        }
        return ids;
    }

    /** The row as stored now, or null when there is none. */
    StaffRow read(String id) throws PostgrestException, IOException {
        List<JsonObject> rows = readWithRetry("select=*&id=eq." + PostgrestClient.encode(id));
        return rows.isEmpty() ? null : RowJson.toRow(rows.get(0));
    }

    /** Rows whose updated_at is after {@code after} (all rows when null), oldest first, paged. */
    List<StaffRow> readChangedAfter(Instant after) throws PostgrestException, IOException {
        String filter = after == null ? "" : "&updated_at=gt." + PostgrestClient.encode(after.toString());
        List<StaffRow> rows = new ArrayList<>();
        for (int offset = 0; ; offset += PAGE_SIZE) {
            List<JsonObject> page = readWithRetry("select=*" + filter
                    + "&order=updated_at.asc,id.asc&limit=" + PAGE_SIZE + "&offset=" + offset);
            for (JsonObject json : page) {
                rows.add(RowJson.toRow(json));
            }
            if (page.isEmpty()) {
                return rows;
            }
        }
    }

    /** The cheapest request that proves the key, the grant and the table: one id. */
    void probe() throws PostgrestException, IOException {
        timed(() -> client.select("select=id&limit=1"));
    }

    /** Inserts a new row at version 1; the stored row as the database made it. */
    StaffRow insert(String id, StaffFields fields) throws PostgrestException, IOException {
        return single(timed(() -> client.insert(RowJson.forInsert(id, fields))));
    }

    /**
     * Compare-and-set update: applied only if the row is the incarnation {@code incarnation} (its
     * {@code created_at}) at {@code version}; null when nothing matched.
     */
    StaffRow update(String id, String incarnation, long version, StaffFields changes)
            throws PostgrestException, IOException {
        return single(timed(() -> client.update(rowAt(id, incarnation, version), RowJson.forUpdate(changes, version))));
    }

    /** Compare-and-set delete, as {@link #update}; the row as it was, or null when nothing matched. */
    StaffRow delete(String id, String incarnation, long version) throws PostgrestException, IOException {
        return single(timed(() -> client.delete(rowAt(id, incarnation, version))));
    }

    /**
     * The row written on: its version, and its incarnation too, because a version alone does not
     * tell one row from the next under the same id. A row deleted and created again is back at
     * version 1 (and, after a few updates, at any version the old one had): without
     * {@code created_at=eq.} an update or delete meant for the old row lands on the new one, which
     * may not have been reported yet (with several instances its create then never reaches its
     * client with its inReplyTo, and the update is published as a create: docs/cluster.md).
     * Null (a row known without its creation time) leaves the version alone to decide.
     */
    private static String rowAt(String id, String incarnation, long version) {
        return "id=eq." + PostgrestClient.encode(id) + "&version=eq." + version
                + (incarnation == null ? "" : "&created_at=eq." + PostgrestClient.encode(incarnation));
    }

    private List<JsonObject> readAllPages(String columns) throws PostgrestException, IOException {
        List<JsonObject> all = new ArrayList<>();
        String after = null;
        while (true) {
            String keyset = after == null ? "" : "&id=gt." + PostgrestClient.encode(after);
            List<JsonObject> page = readWithRetry("select=" + columns + keyset + "&order=id.asc&limit=" + PAGE_SIZE);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).get("id").getAsString();
        }
    }

    private List<JsonObject> readWithRetry(String query) throws PostgrestException, IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return timed(() -> client.select(query));
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException | PostgrestException e) {
                boolean worthRepeating = e instanceof IOException || ((PostgrestException) e).status() >= 500;
                if (!worthRepeating || attempt == READ_ATTEMPTS) {
                    throw e;
                }
                LOG.log(Level.FINE, "read failed, trying again: {0}", e.getMessage());
                pause(READ_RETRY_BASE_MS * attempt * attempt);
            }
        }
    }

    private interface Call {
        List<JsonObject> run() throws PostgrestException, IOException;
    }

    /** Runs one request and records what it says about Supabase's health. */
    private List<JsonObject> timed(Call call) throws PostgrestException, IOException {
        long start = System.nanoTime();
        try {
            List<JsonObject> rows = call.run();
            health.succeeded(elapsedMs(start));
            return rows;
        } catch (PostgrestException e) {
            if (ErrorMapping.meansStoreUnusable(e)) {
                health.failed(e.getMessage());
            } else {
                health.succeeded(elapsedMs(start)); // Supabase answered; the request itself was refused
            }
            throw e;
        } catch (IOException e) {
            health.failed(e.getMessage());
            throw e;
        }
    }

    private static StaffRow single(List<JsonObject> rows) {
        return rows.isEmpty() ? null : RowJson.toRow(rows.get(0));
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void pause(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted between read attempts");
        }
    }
}
