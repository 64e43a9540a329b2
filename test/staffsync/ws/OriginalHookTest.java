package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * The original web app's hook ({@code useWebSocketStaff.js}) works unchanged: these tests send
 * exactly the messages it sends, byte for byte as its {@code JSON.stringify} writes them (no
 * {@code sequenceNumber}, a flat create payload, an update without version, sync payloads with
 * its extra keys), and check what a second client, as the hook reads it, receives.
 *
 * <p>The hook itself lives outside the project (../shared/reference/); the last test reads it
 * there, when present, to make sure the messages below are still the ones it builds.
 */
class OriginalHookTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    static final Path HOOK = Path.of("..", "shared", "reference", "useWebSocketStaff.js");

    /**
     * One browser tab running the hook. {@code prefetchAllPeriods} true (the hook's default)
     * connects to /staff-sync and asks for every period; false connects to
     * /staff-sync?period=N and asks for that period, as the hook's onopen does.
     */
    static final class HookTab implements AutoCloseable {
        final String clientId = UUID.randomUUID().toString(); // crypto.randomUUID()
        final WsClient socket;

        HookTab(boolean prefetchAllPeriods, int currentMonthIndex) {
            String path = prefetchAllPeriods ? "/staff-sync" : "/staff-sync?period=" + currentMonthIndex;
            socket = WsClient.connect(server.wsUri(path), clientId);
            socket.ack();
            if (prefetchAllPeriods) {
                socket.sendText(message("SYNC_ALL_PERIODS_REQUEST", "{\"clientId\":\"" + clientId + "\"}"));
            } else {
                socket.sendText(message("SYNC_REQUEST", "{\"period\":" + currentMonthIndex + "}"));
            }
        }

        /** addStaff(staffData): {...staffData, period: currentMonthIndex}. */
        void addStaff(String name, String position, String department, String type, int currentMonthIndex) {
            socket.sendText(message("STAFF_CREATE", "{\"name\":" + Json.quote(name) + ",\"position\":" + Json.quote(position)
                    + ",\"department\":" + Json.quote(department) + ",\"type\":" + Json.quote(type)
                    + ",\"period\":" + currentMonthIndex + "}"));
        }

        /** updateStaff(staffId, changes): {staffId, changes}, no version. */
        void updateStaff(String staffId, String changesJson) {
            socket.sendText(message("STAFF_UPDATE", "{\"staffId\":" + Json.quote(staffId) + ",\"changes\":" + changesJson + "}"));
        }

        /** deleteStaff(staffId): {staffId}. */
        void deleteStaff(String staffId) {
            socket.sendText(message("STAFF_DELETE", "{\"staffId\":" + Json.quote(staffId) + "}"));
        }

        /** JSON.stringify({type, payload, timestamp: new Date().toISOString(), clientId}). */
        private String message(String type, String payloadJson) {
            String timestamp = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            if (!timestamp.contains(".")) {
                timestamp = timestamp.replace("Z", ".000Z"); // toISOString always writes milliseconds
            }
            return "{\"type\":\"" + type + "\",\"payload\":" + payloadJson + ",\"timestamp\":\"" + timestamp
                    + "\",\"clientId\":\"" + clientId + "\"}";
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void theHooksAllPeriodsRequestIsAnsweredWithPeriodsAndTheirCount() {
        try (HookTab tab = new HookTab(true, 0)) {
            JsonObject response = tab.socket.next();
            assertEquals("SYNC_ALL_PERIODS_RESPONSE", Json.type(response), response.toString());
            assertTrue(Json.payload(response).get("periods").isJsonObject());
            assertTrue(Json.payload(response).has("totalPeriods"));
        }
    }

    @Test
    void theHooksSinglePeriodRequestOnAPeriodUrlIsAnsweredWithThatPeriodsStaff() {
        try (HookTab writer = new HookTab(true, 0)) {
            writer.socket.next("SYNC_ALL_PERIODS_RESPONSE");
            String name = "Period seven " + UUID.randomUUID();
            writer.addStaff(name, "Nurse", "ICU", "regular", 7);
            writer.socket.next("STAFF_CREATE");
            try (HookTab reader = new HookTab(false, 7)) {
                JsonObject response = reader.socket.next();
                assertEquals("SYNC_RESPONSE", Json.type(response), response.toString());
                assertEquals(7, Json.payload(response).get("period").getAsLong());
                JsonArray staff = Json.payload(response).getAsJsonArray("staff");
                assertTrue(staff.toString().contains(name), staff.toString());
            }
        }
    }

    @Test
    void theHooksFlatCreateReachesTheOtherTabAsTheFullNewRow() {
        try (HookTab adding = new HookTab(true, 3); HookTab watching = new HookTab(false, 0)) {
            adding.socket.next("SYNC_ALL_PERIODS_RESPONSE");
            watching.socket.next("SYNC_RESPONSE");
            adding.addStaff("Grace Hopper", "Charge nurse", "Emergency", "part-time", 3);

            JsonObject event = watching.socket.next("STAFF_CREATE");
            JsonObject row = Json.payload(event); // the hook's handleStaffCreate takes the payload as the row
            UUID.fromString(row.get("id").getAsString());
            assertEquals("Grace Hopper", row.get("name").getAsString());
            assertEquals("Charge nurse", row.get("position").getAsString());
            assertEquals("Emergency", row.get("department").getAsString());
            assertEquals("part-time", row.get("type").getAsString());
            assertEquals(3, row.get("period").getAsLong(), "the hook files the row under payload.period");
            assertEquals(1, row.get("version").getAsLong());
            assertEquals(adding.clientId, event.get("clientId").getAsString());
            assertFalse(event.has("inReplyTo"), "the hook sends no sequenceNumber, so nothing to answer");
        }
    }

    @Test
    void theHooksUpdateWithoutVersionReachesTheOtherTabAsStaffIdAndChanges() {
        try (HookTab editing = new HookTab(true, 3); HookTab watching = new HookTab(false, 0)) {
            editing.socket.next("SYNC_ALL_PERIODS_RESPONSE");
            watching.socket.next("SYNC_RESPONSE");
            editing.addStaff("Ada", "Nurse", "ICU", "regular", 3);
            String id = Json.payload(watching.socket.next("STAFF_CREATE")).get("id").getAsString();

            editing.updateStaff(id, "{\"position\":\"Head nurse\",\"department\":\"Surgery\"}");
            JsonObject payload = Json.payload(watching.socket.next("STAFF_UPDATE"));
            // handleStaffUpdate: staffId = payload.staffId; {...staff, ...payload.changes}
            assertEquals(id, payload.get("staffId").getAsString());
            JsonObject changes = payload.getAsJsonObject("changes");
            assertEquals("Head nurse", changes.get("position").getAsString());
            assertEquals("Surgery", changes.get("department").getAsString());
            assertEquals(2, changes.get("version").getAsLong());
        }
    }

    @Test
    void theHooksDeleteReachesTheOtherTabAndTheRowIsGoneFromItsNextSync() {
        try (HookTab deleting = new HookTab(true, 3); HookTab watching = new HookTab(true, 0)) {
            deleting.socket.next("SYNC_ALL_PERIODS_RESPONSE");
            watching.socket.next("SYNC_ALL_PERIODS_RESPONSE");
            deleting.addStaff("Leaving", "Nurse", "ICU", "regular", 3);
            String id = Json.payload(watching.socket.next("STAFF_CREATE")).get("id").getAsString();

            deleting.deleteStaff(id);
            assertEquals(id, Json.payload(watching.socket.next("STAFF_DELETE")).get("staffId").getAsString());
            try (HookTab later = new HookTab(true, 0)) {
                JsonObject periods = Json.payload(later.socket.next("SYNC_ALL_PERIODS_RESPONSE"));
                assertFalse(periods.toString().contains(id), periods.toString());
            }
        }
    }

    @Test
    void theMessagesAboveAreTheOnesTheHookBuilds() throws IOException {
        Assumptions.assumeTrue(Files.exists(HOOK), "the original hook is not at " + HOOK.toAbsolutePath());
        String hook = Files.readString(HOOK).replaceAll("\\s+", " ");
        for (String literal : List.of(
                "type: MESSAGE_TYPES.SYNC_ALL_PERIODS_REQUEST, payload: { clientId: clientIdRef.current }, "
                        + "timestamp: new Date().toISOString(), clientId: clientIdRef.current,",
                "type: MESSAGE_TYPES.SYNC_REQUEST, payload: { period: currentMonthIndex }, "
                        + "timestamp: new Date().toISOString(), clientId: clientIdRef.current,",
                "`ws://localhost:8080/staff-sync?period=${currentMonthIndex}`",
                "type: MESSAGE_TYPES.STAFF_UPDATE, payload: { staffId, changes }, "
                        + "timestamp: new Date().toISOString(), clientId: clientIdRef.current,",
                "type: MESSAGE_TYPES.STAFF_CREATE, payload: { ...staffData, period: currentMonthIndex, }, "
                        + "timestamp: new Date().toISOString(), clientId: clientIdRef.current,",
                "type: MESSAGE_TYPES.STAFF_DELETE, payload: { staffId }, "
                        + "timestamp: new Date().toISOString(), clientId: clientIdRef.current,")) {
            assertTrue(hook.contains(literal), "the hook no longer builds: " + literal);
        }
        assertFalse(hook.contains("sequenceNumber"), "the hook now sends sequence numbers: update these tests");
    }
}
