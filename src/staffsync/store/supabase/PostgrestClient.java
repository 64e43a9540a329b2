package staffsync.store.supabase;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The four PostgREST calls the store needs, on one table, over {@link HttpClient}. Each call is
 * one HTTP exchange: no retries here, because only the caller knows whether repeating a request
 * is safe (reads) or not (writes).
 *
 * <p>Outcomes: a list of row objects; {@link PostgrestException} when an error status came back;
 * {@link IOException} when no answer came (timeout, refused, reset). For a write, an
 * IOException is ambiguous: the database may have committed it.
 *
 * <p>Thread-safe and stateless apart from the immutable settings; HttpClient pools connections.
 */
final class PostgrestClient {
    private static final String JSON = "application/json";

    private final HttpClient http;
    private final URI tableUri;
    private final ApiKey key;
    private final Duration timeout;
    private final RequestObserver observer;

    /** @param supabaseUrl the project URL, e.g. https://abc.supabase.co (the API is under /rest/v1/) */
    PostgrestClient(String supabaseUrl, String table, ApiKey key, Duration timeout, RequestObserver observer) {
        String base = supabaseUrl.endsWith("/") ? supabaseUrl.substring(0, supabaseUrl.length() - 1) : supabaseUrl;
        this.tableUri = URI.create(base + "/rest/v1/" + URLEncoder.encode(table, StandardCharsets.UTF_8));
        this.key = key;
        this.timeout = timeout;
        this.observer = observer;
        // HTTP/1.1: a plain pool of keep-alive connections behaves the same against Supabase's
        // gateway and a local stand-in, and a stalled exchange affects only its own connection.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    ApiKey key() {
        return key;
    }

    /** {@code GET /rest/v1/<table>?<query>}; the query is already encoded. */
    List<JsonObject> select(String query) throws PostgrestException, IOException {
        return send(request(query).GET());
    }

    /** Insert one row; PostgREST answers 201 with the stored row (defaults and trigger applied). */
    List<JsonObject> insert(JsonObject row) throws PostgrestException, IOException {
        return send(request("").header("Prefer", "return=representation")
                .header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofString(row.toString(), StandardCharsets.UTF_8)));
    }

    /** Update the rows the filter matches; an empty list means none matched. */
    List<JsonObject> update(String filter, JsonObject changes) throws PostgrestException, IOException {
        return send(request(filter).header("Prefer", "return=representation")
                .header("Content-Type", JSON)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(changes.toString(), StandardCharsets.UTF_8)));
    }

    /** Delete the rows the filter matches, returning them as they were; empty when none matched. */
    List<JsonObject> delete(String filter) throws PostgrestException, IOException {
        return send(request(filter).header("Prefer", "return=representation").DELETE());
    }

    /** A value made safe for a query string, e.g. the X in {@code id=eq.X}. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String query) {
        URI uri = query.isEmpty() ? tableUri : URI.create(tableUri + "?" + query);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", JSON);
        return key.authenticate(builder);
    }

    private List<JsonObject> send(HttpRequest.Builder builder) throws PostgrestException, IOException {
        HttpRequest request = builder.build();
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            observe(request, "io_error", started);
            throw new InterruptedIOException("interrupted while waiting for Supabase");
        } catch (ConnectException | HttpConnectTimeoutException e) {
            observe(request, "not_sent", started);
            throw new RequestNotSentException(describe(e), e);
        } catch (IOException e) {
            observe(request, e instanceof HttpTimeoutException ? "timeout" : "io_error", started);
            throw new IOException(describe(e), e);
        }
        int status = response.statusCode();
        observe(request, (status / 100) + "xx", started);
        if (status >= 300) {
            throw PostgrestException.fromResponse(status, response.body(), key);
        }
        return rows(response.body(), status);
    }

    private void observe(HttpRequest request, String outcome, long startedNanos) {
        observer.observed(request.method(), outcome, System.nanoTime() - startedNanos);
    }

    /** The transport failure in a few words, naming the host (never a header, so never the key). */
    private String describe(IOException e) {
        String what = e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                ? "cannot connect to " + tableUri.getAuthority()
                : e instanceof HttpTimeoutException ? "no answer from " + tableUri.getAuthority() + " within "
                        + timeout.toMillis() + " ms"
                : "connection to " + tableUri.getAuthority() + " failed";
        String message = e.getMessage();
        String detail = message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
        return key.redact(what + " (" + detail + ")");
    }

    private static List<JsonObject> rows(String body, int status) throws IOException {
        if (body == null || body.isBlank()) {
            return List.of(); // 204 No Content (no representation asked for)
        }
        try {
            JsonElement parsed = JsonParser.parseString(body);
            JsonArray array = parsed.isJsonArray() ? parsed.getAsJsonArray() : new JsonArray();
            if (parsed.isJsonObject()) {
                array.add(parsed);
            }
            List<JsonObject> rows = new ArrayList<>(array.size());
            for (JsonElement element : array) {
                rows.add(element.getAsJsonObject());
            }
            return rows;
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException("HTTP " + status + " with a body that is not a JSON array of rows");
        }
    }
}
