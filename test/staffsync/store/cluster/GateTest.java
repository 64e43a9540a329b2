package staffsync.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.protocol.StaffRow;

/** The version gate's decisions: what is news, which events publish it, whose outcome it is. */
class GateTest {
    private static final String T0 = "2026-12-01T10:00:00.000Z";
    private static final String T1 = "2026-12-01T10:00:01.000Z";
    private static final String T2 = "2026-12-01T10:00:02.000Z";

    private static StaffRow row(String name, String department, long version, String createdAt) {
        return new StaffRow("ada", name, "", department, "regular", 0, version, createdAt, createdAt);
    }

    private static RowView published(StaffRow row, Intent... intents) {
        Map<String, Intent> byId = new java.util.HashMap<>();
        for (Intent intent : intents) {
            byId.put(intent.id(), intent);
        }
        return new RowView(row, "7", null, byId, Map.of(), Map.of());
    }

    private static Intent rename(String id, String client, String name, long base) {
        UpdateStaff update = new UpdateStaff("ada", new StaffFields(name, null, null, null, null, List.of("name")), base);
        return Intent.forMutation(id, "instance-" + id, update, new Origin(client, 1L)).onTopOf(base, T0);
    }

    @Test
    void anOlderOrEqualVersionOfTheSameRowIsNotNews() {
        RowView view = published(row("Ada", "", 3, T0));
        assertNull(Gate.forHelp(view, new Observed.Present(row("Ada", "", 3, T0)), null));
        assertNull(Gate.forHelp(view, new Observed.Present(row("Old", "", 2, T0)), null));
    }

    @Test
    void aNewerVersionFoundInTheTableIsPublishedForTheOneWriteThatMatchesIt() {
        RowView view = published(row("Ada", "", 1, T0), rename("w1", "tab-1", "Ada B.", 1), rename("w2", "tab-2", "Other", 1));
        Plan plan = Gate.forHelp(view, new Observed.Present(row("Ada B.", "", 2, T0)), null);
        assertEquals("w1", plan.attributed().id());
        assertEquals(new Origin("tab-1", 1L), plan.event().origin());
        assertEquals(List.of("name"), plan.event().changedFields());
    }

    @Test
    void whenTwoWritesCouldHaveMadeTheStateItAnswersNeither() {
        RowView view = published(row("Ada", "", 1, T0), rename("w1", "tab-1", "Same", 1), rename("w2", "tab-2", "Same", 1));
        Plan plan = Gate.forHelp(view, new Observed.Present(row("Same", "", 2, T0)), null);
        assertNull(plan.attributed());
        assertEquals(Origin.SERVER, plan.event().origin());
    }

    @Test
    void theHelpersOwnWriteAndWithdrawnWritesAreNeverAnswered() {
        Intent withdrawn = rename("w2", "tab-2", "Same", 1).withdrawn();
        RowView view = published(row("Ada", "", 1, T0), rename("w1", "tab-1", "Same", 1), withdrawn);
        assertNull(Gate.forHelp(view, new Observed.Present(row("Same", "", 2, T0)), "w1").attributed());
    }

    @Test
    void aStateThatSkippedVersionsNamesEveryFieldThatDiffersFromWhatClientsHold() {
        RowView view = published(row("Ada", "", 1, T0));
        Plan plan = Gate.forHelp(view, new Observed.Present(row("Ada B.", "ICU", 3, T0)), null);
        assertEquals(List.of("name", "department"), plan.event().changedFields());
    }

    @Test
    void anOwnUpdateNamesItsFieldsThenAnyOtherDifference() {
        Intent own = rename("w1", "tab-1", "Ada B.", 2);
        RowView view = published(row("Ada", "", 1, T0));
        Plan plan = Gate.forOwn(view, new Observed.Present(row("Ada B.", "ICU", 3, T0)), own, List.of("name"));
        assertEquals(List.of("name", "department"), plan.event().changedFields());
        assertEquals(own, plan.attributed());
    }

    @Test
    void aReusedIdIsFirstTheDeleteOfTheOldRowForItsDeleterThenTheCreate() {
        DeleteStaff delete = new DeleteStaff("ada", 4L);
        Intent deleter = Intent.forMutation("d1", "instance-1", delete, new Origin("tab-1", 8L)).onTopOf(4, T0);
        RowView view = published(row("Ada", "", 4, T0), deleter);
        Observed recreated = new Observed.Present(row("New Ada", "", 1, T1));
        Plan first = Gate.forHelp(view, recreated, null);
        assertEquals(Kind.DELETE, first.event().kind());
        assertEquals(4, first.event().row().version());
        assertEquals(new Origin("tab-1", 8L), first.event().origin());
        assertEquals(T0, first.tomb());
        Plan second = Gate.forHelp(view.after(first, 8), recreated, null);
        assertEquals(Kind.CREATE, second.event().kind());
        assertEquals(Origin.SERVER, second.event().origin());
    }

    @Test
    void anOwnCreateOverAnUnpublishedDeletePublishesThatDeleteFirst() {
        DeleteStaff delete = new DeleteStaff("ada", null);
        Intent deleter = Intent.forMutation("d1", "instance-1", delete, new Origin("tab-1", 8L)).onTopOf(4, T0);
        CreateStaff create = new CreateStaff("ada", new StaffFields("New Ada", null, null, null, null, List.of("name")));
        Intent creator = Intent.forMutation("c1", "instance-2", create, new Origin("tab-2", 1L));
        RowView view = published(row("Ada", "", 4, T0), deleter, creator);
        Observed mine = new Observed.Present(row("New Ada", "", 1, T1));
        Plan first = Gate.forOwn(view, mine, creator, List.of());
        assertEquals(Kind.DELETE, first.event().kind());
        assertEquals(deleter, first.attributed());
        assertEquals(false, first.own());
        Plan second = Gate.forOwn(view.after(first, 8), mine, creator, List.of());
        assertEquals(Kind.CREATE, second.event().kind());
        assertEquals(true, second.own());
    }

    @Test
    void anOlderIncarnationIsNotNews() {
        assertNull(Gate.forHelp(published(row("New", "", 1, T1)), new Observed.Present(row("Old", "", 5, T0)), null));
        RowView deleted = new RowView(null, "9", T1, Map.of(), Map.of(), Map.of());
        assertNull(Gate.forHelp(deleted, new Observed.Present(row("Deleted", "", 2, T1)), null),
                "the deleted incarnation does not come back");
        assertEquals(Kind.CREATE, Gate.forHelp(deleted, new Observed.Present(row("Again", "", 1, T2)), null).event().kind());
    }

    @Test
    void aCreateFoundInTheTableIsAnsweredToTheCreateItMatches() {
        CreateStaff create = new CreateStaff("ada", new StaffFields("Ada", null, null, null, null, List.of("name")));
        Intent intent = Intent.forMutation("c1", "instance-1", create, new Origin("tab-1", 9L));
        RowView view = new RowView(null, "", null, Map.of("c1", intent), Map.of(), Map.of());
        Plan plan = Gate.forHelp(view, new Observed.Present(row("Ada", "", 1, T0)), null);
        assertEquals(Kind.CREATE, plan.event().kind());
        assertEquals(new Origin("tab-1", 9L), plan.event().origin());
    }

    @Test
    void theDisappearanceOfThePublishedRowIsADeleteOfWhatClientsHold() {
        DeleteStaff delete = new DeleteStaff("ada", null);
        Intent intent = Intent.forMutation("d1", "instance-1", delete, new Origin("tab-1", 3L)).onTopOf(2, T0);
        RowView view = published(row("Ada", "", 2, T0), intent);
        Plan plan = Gate.forHelp(view, new Observed.Gone("ada", T0), null);
        assertEquals(Kind.DELETE, plan.event().kind());
        assertEquals(2, plan.event().row().version());
        assertEquals(new Origin("tab-1", 3L), plan.event().origin());
        assertNull(plan.finalRow());
        assertNull(Gate.forHelp(view, new Observed.Gone("ada", T1), null), "another incarnation's absence says nothing");
    }
}
