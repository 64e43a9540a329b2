package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stand-in itself, spoken to with a bare HTTP client: each test is one PostgREST or
 * Supabase-gateway behaviour listed in docs/postgrest-stand-in.md.
 */
class PostgrestStandInTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private PostgrestStandIn standIn;

    @BeforeEach
    void setUp() throws Exception {
        standIn = PostgrestStandIn.start();
    }

    @AfterEach
    void tearDown() {
        standIn.close();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(standIn.url() + "/rest/v1/" + pathAndQuery))
                .header("apikey", PostgrestStandIn.SECRET_KEY);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> insert(String json) throws Exception {
        return send(request("staff_members").header("Prefer", "return=representation")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static JsonObject object(String body) {
        return JsonParser.parseString(body).getAsJsonObject();
    }

    private static JsonArray array(String body) {
        return JsonParser.parseString(body).getAsJsonArray();
    }

    @Test
    void aRequestWithoutApiKeyIs401NoApiKeyFound() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(standIn.url() + "/rest/v1/staff_members")));
        assertEquals(401, response.statusCode());
        assertEquals("No API key found in request", object(response.body()).get("message").getAsString());
    }

    @Test
    void aSecretKeySentAsBearerTokenIs401Pgrst301() throws Exception {
        HttpResponse<String> response = send(request("staff_members")
                .header("Authorization", "Bearer " + PostgrestStandIn.SECRET_KEY));
        assertEquals(401, response.statusCode());
        assertEquals("PGRST301", object(response.body()).get("code").getAsString());
    }

    @Test
    void theLegacyKeyIsAcceptedInBothHeaders() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(standIn.url() + "/rest/v1/staff_members"))
                .header("apikey", PostgrestStandIn.LEGACY_KEY).header("Authorization", "Bearer " + PostgrestStandIn.LEGACY_KEY));
        assertEquals(200, response.statusCode());
    }

    @Test
    void anUnknownKeyIs401InvalidApiKey() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(standIn.url() + "/rest/v1/staff_members"))
                .header("apikey", "sb_secret_not_this_one"));
        assertEquals(401, response.statusCode());
        assertEquals("Invalid API key", object(response.body()).get("message").getAsString());
    }

    @Test
    void anInsertWithRepresentationIs201WithAnArrayAndTheTriggerSetsVersionAndTimestamps() throws Exception {
        HttpResponse<String> response = insert("{\"id\":\"a\",\"name\":\"Ada\",\"version\":42}");
        assertEquals(201, response.statusCode());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        JsonObject row = array(response.body()).get(0).getAsJsonObject();
        assertEquals(1, row.get("version").getAsLong());
        assertEquals("regular", row.get("type").getAsString());
        assertTrue(row.get("updated_at").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?\\+00:00"),
                row.toString());
    }

    @Test
    void timestampsAreWrittenAsPostgresWritesThemWithMicrosecondsAndNoTrailingZeros() throws Exception {
        insert("{\"id\":\"a\",\"name\":\"Ada\"}");
        for (String[] stamp : new String[][] {
                {"2026-11-20T08:00:00.123456Z", "2026-11-20T08:00:00.123456+00:00"},
                {"2026-11-20T08:00:00.120Z", "2026-11-20T08:00:00.12+00:00"},
                {"2026-11-20T08:00:00Z", "2026-11-20T08:00:00+00:00"}}) {
            standIn.table().backdate("a", Instant.parse(stamp[0]));
            JsonObject row = array(send(request("staff_members?select=updated_at&id=eq.a")).body()).get(0).getAsJsonObject();
            assertEquals(stamp[1], row.get("updated_at").getAsString());
        }
    }

    @Test
    void aDuplicateIdIs409WithA23505ErrorBody() throws Exception {
        insert("{\"id\":\"a\",\"name\":\"Ada\"}");
        HttpResponse<String> response = insert("{\"id\":\"a\",\"name\":\"Again\"}");
        assertEquals(409, response.statusCode());
        JsonObject error = object(response.body());
        assertEquals("23505", error.get("code").getAsString());
        assertTrue(error.has("details") && error.has("hint") && error.has("message"));
    }

    @Test
    void anUnknownColumnInABodyIs400Pgrst204() throws Exception {
        HttpResponse<String> response = insert("{\"id\":\"a\",\"name\":\"Ada\",\"shoe_size\":9}");
        assertEquals(400, response.statusCode());
        assertEquals("PGRST204", object(response.body()).get("code").getAsString());
    }

    @Test
    void aMissingTableIs404Pgrst205() throws Exception {
        HttpResponse<String> response = send(request("staff"));
        assertEquals(404, response.statusCode());
        assertEquals("PGRST205", object(response.body()).get("code").getAsString());
    }

    @Test
    void aPatchThatMatchesNothingIs200WithAnEmptyArray() throws Exception {
        insert("{\"id\":\"a\",\"name\":\"Ada\"}");
        HttpResponse<String> response = send(request("staff_members?id=eq.a&version=eq.7")
                .header("Prefer", "return=representation").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\":\"B\"}")));
        assertEquals(200, response.statusCode());
        assertEquals("[]", response.body());
    }

    @Test
    void aDeleteThatMatchesNothingIs200WithAnEmptyArray() throws Exception {
        HttpResponse<String> response = send(request("staff_members?id=eq.nobody")
                .header("Prefer", "return=representation").DELETE());
        assertEquals(200, response.statusCode());
        assertEquals("[]", response.body());
    }

    @Test
    void aPatchThatMatchesMovesVersionOnByTheTriggerWhateverTheBodySays() throws Exception {
        insert("{\"id\":\"a\",\"name\":\"Ada\"}");
        HttpResponse<String> response = send(request("staff_members?id=eq.a&version=eq.1")
                .header("Prefer", "return=representation").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\":\"B\",\"version\":99}")));
        assertEquals(2, array(response.body()).get(0).getAsJsonObject().get("version").getAsLong());
    }

    @Test
    void aReadNeverReturnsMoreThanOneThousandRowsAndSaysWhichInContentRange() throws Exception {
        for (int i = 0; i < 1_005; i++) {
            JsonObject row = new JsonObject();
            row.addProperty("id", String.format("%04d", i));
            row.addProperty("name", "N");
            standIn.insertDirectly(row);
        }
        HttpResponse<String> response = send(request("staff_members?select=id&order=id.asc&limit=5000"));
        assertEquals(1_000, array(response.body()).size());
        assertEquals("0-999/*", response.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void selectFiltersOrderLimitAndOffsetWorkTogether() throws Exception {
        for (String id : new String[] {"c", "a", "d", "b"}) {
            insert("{\"id\":\"" + id + "\",\"name\":\"N\"}");
        }
        HttpResponse<String> response = send(request("staff_members?select=id&id=gt.a&order=id.desc&limit=2&offset=1"));
        assertEquals("[{\"id\":\"c\"},{\"id\":\"b\"}]", response.body());
        assertEquals("1-2/*", response.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void anUnknownColumnInAFilterIs400With42703() throws Exception {
        HttpResponse<String> response = send(request("staff_members?shoe_size=eq.9"));
        assertEquals(400, response.statusCode());
        assertEquals("42703", object(response.body()).get("code").getAsString());
    }

    @Test
    void aPlainText503FaultAnswersWithoutJson() throws Exception {
        standIn.beginOutage(PostgrestStandIn.Fault.PLAIN_503);
        HttpResponse<String> response = send(request("staff_members"));
        assertEquals(503, response.statusCode());
        assertEquals("Service Unavailable", response.body());
    }

    @Test
    void aConnectionResetFaultGivesTheClientNoAnswer() {
        standIn.beginOutage(PostgrestStandIn.Fault.CONNECTION_RESET);
        assertThrows(IOException.class, () -> send(request("staff_members")));
    }

    @Test
    void anApplyThenResetFaultStoresTheWriteButGivesNoAnswer() {
        standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        assertThrows(IOException.class, () -> insert("{\"id\":\"a\",\"name\":\"Ada\"}"));
        assertEquals("Ada", standIn.row("a").get("name").getAsString());
    }
}
