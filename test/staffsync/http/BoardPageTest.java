package staffsync.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.SharedServer;

/** The live board's files on the HTTP port: what is served, and the headers that keep it to itself. */
class BoardPageTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.httpUri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    @Test
    void theRootIsThePageWithThisServersWebSocketPort() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", header(page, "Content-Type"));
        assertTrue(page.body().contains("<meta name=\"staff-sync-websocket-port\" content=\"" + server.wsPort() + "\">"), page.body());
        assertTrue(page.body().contains("<script type=\"module\" src=\"/board.js\"></script>"));
        assertTrue(page.body().contains("data-testid=\"status\""));
    }

    @Test
    void thePagesPolicyAllowsItsOwnFilesAndThisServersWebSocketOnly() throws Exception {
        String policy = header(get("/"), "Content-Security-Policy");
        String ws = "127.0.0.1:" + server.wsPort();
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://"
                + ws + " wss://" + ws + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", policy);
    }

    @Test
    void everyBoardResponseCarriesTheUsualSecurityHeaders() throws Exception {
        for (String path : new String[] {"/", "/staff-sync.js", "/board.js", "/board.css"}) {
            HttpResponse<String> response = get(path);
            assertEquals(200, response.statusCode(), path);
            assertEquals("nosniff", header(response, "X-Content-Type-Options"), path);
            assertEquals("DENY", header(response, "X-Frame-Options"), path);
            assertEquals("no-referrer", header(response, "Referrer-Policy"), path);
            assertEquals("same-origin", header(response, "Cross-Origin-Opener-Policy"), path);
            assertEquals("same-origin", header(response, "Cross-Origin-Resource-Policy"), path);
            assertTrue(header(response, "Content-Security-Policy").startsWith("default-src 'none'"), path);
            assertEquals("no-cache", header(response, "Cache-Control"), path);
            assertTrue(header(response, "ETag").matches("\"[0-9a-f]{24}\""), path);
        }
    }

    @Test
    void theClientModuleIsServedAsJavaScript() throws Exception {
        HttpResponse<String> module = get("/staff-sync.js");
        assertEquals("text/javascript; charset=utf-8", header(module, "Content-Type"));
        assertTrue(module.body().contains("export class StaffSyncClient"));
        assertEquals("text/css; charset=utf-8", header(get("/board.css"), "Content-Type"));
    }

    @Test
    void aWsParameterAddsExactlyThatOriginToThePolicy() throws Exception {
        String url = URLEncoder.encode("wss://sync.example.test:9443/staff-sync", StandardCharsets.UTF_8);
        HttpResponse<String> page = get("/?ws=" + url);
        assertEquals(200, page.statusCode());
        assertTrue(header(page, "Content-Security-Policy").contains(" wss://sync.example.test:9443;"),
                header(page, "Content-Security-Policy"));
    }

    @Test
    void aWsParameterThatIsNotAWebSocketUrlIs400() throws Exception {
        for (String bad : new String[] {"http://example.test/", "ws://a.test;script-src *", "ws://user@a.test/", "javascript:alert(1)", ""}) {
            HttpResponse<String> page = get("/?ws=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
            assertEquals(400, page.statusCode(), bad);
            assertTrue(page.body().contains("ws:// or wss://"), bad);
        }
    }

    @Test
    void anUnchangedFileIs304() throws Exception {
        HttpResponse<String> first = get("/staff-sync.js");
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(server.httpUri("/staff-sync.js"))
                .header("If-None-Match", header(first, "ETag")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
    }

    @Test
    void aPostToThePageIs405() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.httpUri("/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", header(response, "Allow"));
    }

    @Test
    void headAnswersWithoutABody() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.httpUri("/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
    }
}
