package staffsync.store.supabase;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for Supabase's Data API (its gateway plus PostgREST) on one in-memory table, for
 * tests. docs/postgrest-stand-in.md lists each reproduced behaviour and the documentation it
 * comes from. Faults can be injected: latency, a plain-text 503, a gateway 502 in JSON, a
 * dropped connection, and a write that is applied but whose answer is lost.
 *
 * <p>Concurrency: requests run on a cached pool, so injected latency delays only its own
 * request. The table serialises statements; the fault settings are volatile or guarded by
 * {@code this}; the request log is a concurrent list.
 */
public final class PostgrestStandIn implements AutoCloseable {
    public static final String LEGACY_KEY =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c3RhbmQtaW4tc2lnbmF0dXJl";
    public static final String SECRET_KEY = "sb_secret_StandInSecretKey0123456789abcdef";
    private static final String JSON_UTF8 = "application/json; charset=utf-8";

    /** Ways to misbehave, each as Supabase's gateway or network would. */
    public enum Fault {
        /** 503 with a plain-text body, as a gateway says when the project is unavailable. */
        PLAIN_503,
        /** 502 with a JSON body that is not a PostgREST error: the gateway lost the upstream answer. */
        GATEWAY_502_JSON,
        /** The connection is closed without any answer; nothing was done. */
        CONNECTION_RESET,
        /** The write is committed, then the connection is closed without an answer. */
        APPLY_THEN_RESET,
        /**
         * The write is committed, then its answer is held back until {@link #endStall} (a stalled
         * network path or proxy): the writer is left waiting, for example while a test kills it.
         */
        APPLY_THEN_STALL
    }

    /** One request as received, for assertions about headers. Header names are lower case. */
    public record Request(String method, String pathAndQuery, Map<String, String> headers, String body) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final StandInTable table;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile Fault outage;                  // every request, until ended
    private Fault writeFault;                       // guarded by this
    private int writeFaultsLeft;                    // guarded by this
    private volatile boolean grantsRevoked;
    private final java.util.concurrent.CountDownLatch stallEnd = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger stalledWrites = new java.util.concurrent.atomic.AtomicInteger();

    private PostgrestStandIn(String tableName) throws IOException {
        table = new StandInTable(tableName);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    public static PostgrestStandIn start(String tableName) throws IOException {
        return new PostgrestStandIn(tableName);
    }

    public static PostgrestStandIn start() throws IOException {
        return start("staff_members");
    }

    /** The value for SUPABASE_URL. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public StandInTable table() {
        return table;
    }

    // ---- fault injection ----

    public void setLatency(Duration added) {
        latency = added;
    }

    /** Every request fails this way until {@link #endOutage}. */
    public void beginOutage(Fault fault) {
        outage = fault;
    }

    public void endOutage() {
        outage = null;
    }

    /** The next {@code count} writes (POST, PATCH, DELETE) fail this way; reads are unaffected. */
    public synchronized void failNextWrites(Fault fault, int count) {
        writeFault = fault;
        writeFaultsLeft = count;
    }

    /** Lets every answer held by {@link Fault#APPLY_THEN_STALL} go (and any later one pass at once). */
    public void endStall() {
        stallEnd.countDown();
    }

    /** How many writes have been committed and are (or were) held back by {@link Fault#APPLY_THEN_STALL}. */
    public int stalledWrites() {
        return stalledWrites.get();
    }

    /** As if {@code GRANT ... TO service_role} had not been run: 403 42501 for everything. */
    public void revokeGrants(boolean revoked) {
        grantsRevoked = revoked;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    // ---- direct access, as from the SQL editor (the trigger still runs) ----

    public JsonObject insertDirectly(JsonObject values) throws StandInError {
        return StandInTable.toJson(table.insert(values), allColumns());
    }

    public JsonObject updateDirectly(String id, JsonObject values) throws StandInError {
        List<Map<String, Object>> rows = table.update(row -> id.equals(row.get("id")), values);
        return rows.isEmpty() ? null : StandInTable.toJson(rows.get(0), allColumns());
    }

    public boolean deleteDirectly(String id) {
        return !table.delete(row -> id.equals(row.get("id"))).isEmpty();
    }

    /** The table's rows as PostgREST would return them, ordered by id. */
    public List<JsonObject> rows() {
        List<JsonObject> rows = new ArrayList<>();
        for (Map<String, Object> row : table.select(r -> true)) {
            rows.add(StandInTable.toJson(row, allColumns()));
        }
        return rows;
    }

    public JsonObject row(String id) {
        List<Map<String, Object>> rows = table.select(row -> id.equals(row.get("id")));
        return rows.isEmpty() ? null : StandInTable.toJson(rows.get(0), allColumns());
    }

    @Override
    public void close() {
        stallEnd.countDown();
        server.stop(0);
        pool.shutdownNow();
    }

    // ---- serving ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = readBody(exchange.getRequestBody());
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    headers(exchange), body));
            pause(latency);
            Fault fault = faultFor(exchange.getRequestMethod());
            if (fault == Fault.CONNECTION_RESET) {
                throw new DroppedConnection();
            }
            if (fault == Fault.PLAIN_503) {
                send(exchange, 503, "text/plain", "Service Unavailable", null);
                return;
            }
            if (fault == Fault.GATEWAY_502_JSON) {
                send(exchange, 502, JSON_UTF8, "{\"message\":\"An invalid response was received from the upstream server\"}", null);
                return;
            }
            JsonObject authError = StandInAuth.check(exchange.getRequestHeaders());
            if (authError != null) {
                send(exchange, 401, JSON_UTF8, authError.toString(), null);
                return;
            }
            try {
                Answer answer = answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestURI().getRawQuery(), body, exchange.getRequestHeaders().getFirst("Prefer"));
                if (fault == Fault.APPLY_THEN_RESET) {
                    throw new DroppedConnection(); // the write above is committed; its answer is lost
                }
                if (fault == Fault.APPLY_THEN_STALL) {
                    stalledWrites.incrementAndGet();
                    awaitStallEnd(); // the write above is committed; its answer waits
                }
                send(exchange, answer.status, JSON_UTF8, answer.body, answer.contentRange);
            } catch (StandInError e) {
                send(exchange, e.status, JSON_UTF8, e.body().toString(), null);
            }
        }
    }

    private record Answer(int status, String body, String contentRange) {}

    private Answer answer(String method, String path, String rawQuery, String body, String prefer) throws StandInError {
        String prefix = "/rest/v1/";
        String tableName = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
        if (!tableName.equals(table.name)) {
            throw new StandInError(404, "PGRST205", "Could not find the table 'public." + tableName + "' in the schema cache",
                    null, "Perhaps you meant the table 'public." + table.name + "'");
        }
        if (grantsRevoked) {
            throw new StandInError(403, "42501", "permission denied for table " + table.name, null, null);
        }
        StandInQuery query = StandInQuery.parse(rawQuery, table.name);
        boolean representation = prefer != null && prefer.contains("return=representation");
        return switch (method) {
            case "GET" -> read(query);
            case "POST" -> written(201, table.insert(object(body)), query, representation);
            case "PATCH" -> written(200, table.update(query.filter, object(body)), query, representation);
            case "DELETE" -> written(200, table.delete(query.filter), query, representation);
            default -> throw new StandInError(405, "PGRST117", "Unsupported HTTP method: " + method, null, null);
        };
    }

    /** GET: filter, order, then offset and limit, never more than db-max-rows (1000 on Supabase). */
    private Answer read(StandInQuery query) {
        List<Map<String, Object>> rows = table.select(query.filter);
        if (query.order != null) {
            rows.sort(query.order);
        }
        int limit = Math.min(query.limit == null ? SupabaseTable.PAGE_SIZE : query.limit, SupabaseTable.PAGE_SIZE);
        int from = Math.min(query.offset, rows.size());
        List<Map<String, Object>> page = rows.subList(from, Math.min(rows.size(), from + limit));
        return new Answer(200, array(page, query.columns).toString(), range(query.offset, page.size()));
    }

    private Answer written(int status, Object result, StandInQuery query, boolean representation) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = result instanceof Map<?, ?> one
                ? List.of((Map<String, Object>) one) : (List<Map<String, Object>>) result;
        String range = status == 201 ? "*/*" : range(0, rows.size());
        if (!representation) {
            return new Answer(status == 201 ? 201 : 204, "", range);
        }
        return new Answer(status, array(rows, query.columns).toString(), range);
    }

    private static JsonArray array(List<Map<String, Object>> rows, List<String> columns) {
        JsonArray array = new JsonArray();
        for (Map<String, Object> row : rows) {
            array.add(StandInTable.toJson(row, columns));
        }
        return array;
    }

    /** Content-Range as PostgREST writes it: first-last/total, total unknown (*); "*" for an empty range. */
    private static String range(int offset, int count) {
        return count == 0 ? "*/*" : offset + "-" + (offset + count - 1) + "/*";
    }

    private static JsonObject object(String body) throws StandInError {
        try {
            JsonElement parsed = JsonParser.parseString(body);
            if (parsed.isJsonObject()) {
                return parsed.getAsJsonObject();
            }
        } catch (JsonParseException e) {
            // falls through to PostgREST's answer for a body it cannot use
        }
        throw new StandInError(400, "PGRST102", "Empty or invalid json", null, null);
    }

    private synchronized Fault faultFor(String method) {
        Fault now = outage;
        if (now != null) {
            return now;
        }
        boolean write = !method.equals("GET") && !method.equals("HEAD");
        if (write && writeFaultsLeft > 0) {
            writeFaultsLeft--;
            return writeFault;
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String contentRange)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if (contentRange != null) {
            exchange.getResponseHeaders().set("Content-Range", contentRange);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> headers = new java.util.TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        return headers;
    }

    private static String readBody(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> allColumns() {
        return new ArrayList<>(StandInTable.COLUMNS.keySet());
    }

    private void awaitStallEnd() {
        try {
            stallEnd.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() ends the pool
        }
    }

    private static void pause(Duration duration) {
        if (!duration.isZero()) {
            try {
                Thread.sleep(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Thrown out of the handler to make the JDK server close the connection with no answer:
     * the client sees the connection end, as after a reset.
     */
    private static final class DroppedConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DroppedConnection() {
            super("stand-in: connection dropped on purpose", null, false, false);
        }
    }
}
