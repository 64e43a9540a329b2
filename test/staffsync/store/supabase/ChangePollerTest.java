package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.store.supabase.StoreFixture.CLIENT;
import static staffsync.store.supabase.StoreFixture.WAIT;
import static staffsync.store.supabase.StoreFixture.applied;
import static staffsync.store.supabase.StoreFixture.create;
import static staffsync.store.supabase.StoreFixture.rejected;
import static staffsync.store.supabase.StoreFixture.rename;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.support.RecordingListener;

/** Changes made outside the server become ordinary events, each exactly once. */
class ChangePollerTest {
    @RegisterExtension
    final StoreFixture fixture = new StoreFixture();

    private static JsonObject values(String key, String value) {
        JsonObject json = new JsonObject();
        json.addProperty(key, value);
        return json;
    }

    private static JsonObject newRow(String id, String name) {
        JsonObject json = values("id", id);
        json.addProperty("name", name);
        return json;
    }

    @Test
    void aRowInsertedOutsideIsReportedAsACreateFromTheServer() throws Exception {
        fixture.startedStore();
        fixture.standIn.insertDirectly(newRow("x", "From SQL"));
        ChangeEvent event = fixture.listener.await(e -> e.row().id().equals("x"), WAIT);
        assertEquals(Kind.CREATE, event.kind());
        assertEquals(Origin.SERVER, event.origin());
        assertEquals(1, event.sequence());
    }

    @Test
    void aRowUpdatedOutsideIsReportedWithTheFieldsThatChanged() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("x", "Ada"), CLIENT);
        fixture.standIn.updateDirectly("x", values("department", "ICU"));
        ChangeEvent event = fixture.listener.await(e -> e.kind() == Kind.UPDATE, WAIT);
        assertEquals(List.of("department"), event.changedFields());
        assertEquals(2, event.row().version());
    }

    @Test
    void aRowDeletedOutsideIsReportedByTheIdComparison() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("x", "Ada"), CLIENT);
        fixture.standIn.deleteDirectly("x");
        ChangeEvent event = fixture.listener.await(e -> e.kind() == Kind.DELETE, WAIT);
        assertEquals("x", event.row().id());
        assertEquals(Origin.SERVER, event.origin());
    }

    @Test
    void theServersOwnWritesAreNotReportedAgainByThePoller() throws Exception {
        SupabaseStore store = fixture.startedStore();
        for (int i = 0; i < 20; i++) {
            store.apply(create("r" + i, "N"), CLIENT);
            store.apply(rename("r" + i, "M", 1L), CLIENT);
        }
        StoreFixture.awaitPolls(fixture.standIn, ChangePoller.DELETION_CHECK_EVERY + 1); // past a deletion check too
        assertEquals(40, fixture.listener.events().size());
    }

    @Test
    void aRowCommittedWithAnEarlierTimestampThanOnesAlreadySeenIsStillFound() throws Exception {
        fixture.startedStore();
        fixture.standIn.insertDirectly(newRow("late", "Committed late"));
        fixture.standIn.table().backdate("late", Instant.now().minusMillis(300)); // inside the overlap window
        fixture.standIn.insertDirectly(newRow("early", "Committed first"));
        fixture.listener.await(e -> e.row().id().equals("late"), WAIT);
        fixture.listener.await(e -> e.row().id().equals("early"), WAIT);
    }

    @Test
    void anIdDeletedAndCreatedAgainOutsideIsReportedAsDeleteThenCreate() throws Exception {
        SupabaseStore store = fixture.startedStore();
        store.apply(create("x", "First"), CLIENT);
        store.apply(rename("x", "First v2", 1L), CLIENT);
        fixture.standIn.deleteDirectly("x");
        fixture.standIn.insertDirectly(newRow("x", "Second"));
        ChangeEvent created = fixture.listener.await(e -> e.kind() == Kind.CREATE && e.origin() == Origin.SERVER, WAIT);
        assertEquals("Second", created.row().name());
        List<ChangeEvent> events = fixture.listener.events();
        assertEquals(Kind.DELETE, events.get(events.indexOf(created) - 1).kind());
    }

    @Test
    void twoStoresOnOneTableSeeEachOthersWritesAndNeverOverwriteThem() throws Exception {
        SupabaseStore first = fixture.startedStore();
        RecordingListener secondListener = new RecordingListener();
        SupabaseStore second = fixture.newStore();
        second.start(secondListener);
        secondListener.awaitLoaded(WAIT);

        first.apply(create("x", "Ada"), CLIENT);
        secondListener.await(e -> e.row().id().equals("x"), WAIT);
        applied(second.apply(rename("x", "From second", 1L), CLIENT));
        assertEquals(ErrorCode.VERSION_CONFLICT, rejected(first.apply(rename("x", "From first", 1L), CLIENT)).code());

        ChangeEvent seen = fixture.listener.await(e -> e.row().version() == 2, WAIT);
        assertEquals("From second", seen.row().name());
        assertTrue(fixture.standIn.row("x").get("name").getAsString().equals("From second"));
    }
}
