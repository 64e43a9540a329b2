package staffsync.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.store.cluster.ClusterFixture.WAIT;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.store.MutationResult;
import staffsync.store.StoreState;
import staffsync.store.cluster.ClusterFixture.Instance;
import staffsync.support.RecordingListener;

/**
 * Supabase stores in one JVM sharing a real Redis and the PostgREST stand-in: the shared
 * numbering, retries, helping and the outages, one behaviour at a time. (ClusterServerTest does
 * the same with real server processes and WebSocket clients.)
 */
class ClusterLedgerTest {
    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private static CreateStaff create(String id, String name) {
        return new CreateStaff(id, new StaffFields(name, null, null, null, null, List.of("name")));
    }

    private static UpdateStaff rename(String id, String name, Long version) {
        return new UpdateStaff(id, new StaffFields(name, null, null, null, null, List.of("name")), version);
    }

    private static ChangeEvent applied(MutationResult result) {
        assertInstanceOf(MutationResult.Applied.class, result, result.toString());
        return ((MutationResult.Applied) result).event();
    }

    /** Waits until the listener holds {@code count} events. */
    private static List<ChangeEvent> awaitEvents(RecordingListener listener, int count) throws InterruptedException {
        listener.await(event -> event.sequence() == count, WAIT);
        return listener.events();
    }

    @Test
    void instancesShareOneNumberingAndDeliverTheSameEvents() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        ChangeEvent created = applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        ChangeEvent renamed = applied(b.store().apply(rename("ada", "Ada L.", 1L), new Origin("tab-2", 1L)));
        assertEquals(1, created.sequence());
        assertEquals(2, renamed.sequence());
        List<ChangeEvent> seenByA = awaitEvents(a.listener(), 2);
        List<ChangeEvent> seenByB = awaitEvents(b.listener(), 2);
        assertEquals(seenByA, seenByB);
        assertEquals(List.of(Kind.CREATE, Kind.UPDATE), seenByA.stream().map(ChangeEvent::kind).toList());
        assertEquals(new Origin("tab-2", 1L), seenByA.get(1).origin());
        assertEquals(List.of("name"), seenByA.get(1).changedFields());
        assertEquals(a.listener().loaded().epoch(), b.listener().loaded().epoch());
    }

    @Test
    void aLateInstanceStartsFromTheSharedStateWithItsHistory() throws Exception {
        Instance a = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        applied(a.store().apply(rename("ada", "Ada L.", 1L), new Origin("tab-1", 2L)));
        Instance late = fixture.instance();
        StoreState state = late.listener().loaded();
        assertEquals(2, state.sequence());
        assertEquals(a.listener().loaded().epoch(), state.epoch());
        assertEquals(awaitEvents(a.listener(), 2), state.recentEvents());
        assertEquals("Ada L.", state.rows().get(0).name());
    }

    @Test
    void aRetryReachingAnotherInstanceGetsTheOriginalEventAndIsNotAppliedTwice() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        Origin origin = new Origin("tab-1", 7L);
        ChangeEvent original = applied(a.store().apply(create("ada", "Ada"), origin));
        applied(a.store().apply(rename("ada", "Ada L.", null), new Origin("tab-9", 1L)));
        MutationResult retried = b.store().apply(create("ada", "Ada"), origin);
        assertInstanceOf(MutationResult.Repeated.class, retried, retried.toString());
        assertEquals(original, ((MutationResult.Repeated) retried).original());
        assertEquals(2, awaitEvents(b.listener(), 2).size());
        assertEquals(1, fixture.standIn.rows().size());
    }

    @Test
    void aChangeMadeInTheTableIsPublishedOnceThoughEveryInstancePolls() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        Instance c = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        JsonObject change = new JsonObject();
        change.addProperty("department", "ICU");
        fixture.standIn.updateDirectly("ada", change);
        ChangeEvent published = c.listener().await(event -> event.sequence() == 2, WAIT);
        assertEquals(Origin.SERVER, published.origin());
        assertEquals(List.of("department"), published.changedFields());
        // A window, not a fence: a second publication would come from another instance's poller,
        // which nothing here can be ordered with. Several more polls by each instance:
        Thread.sleep(ClusterFixture.POLL.toMillis() * 5);
        for (Instance instance : List.of(a, b, c)) {
            assertEquals(2, instance.listener().events().size(), instance.listener().events().toString());
        }
    }

    @Test
    void aCommitWhoseInstanceDiedIsPublishedByAnotherForItsClient() throws Exception {
        Instance survivor = fixture.instance();
        applied(survivor.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        awaitEvents(survivor.listener(), 1);
        // A "dead" instance: it announced its update, wrote it to the table, and never published it.
        SharedLog log = fixture.log();
        String epoch = survivor.listener().loaded().epoch();
        Origin origin = new Origin("tab-dead", 4L);
        Intent intent = Intent.forMutation("dead-instance/1", "dead-instance", rename("ada", "Ada Byron", null), origin);
        assertInstanceOf(SharedLog.Intended.Ready.class, log.intend(epoch, "ada", intent, null, null));
        JsonObject change = new JsonObject();
        change.addProperty("name", "Ada Byron");
        fixture.standIn.updateDirectly("ada", change);

        ChangeEvent published = survivor.listener().await(event -> event.sequence() == 2, WAIT);
        assertEquals(origin, published.origin(), "published for the client of the dead instance");
        assertEquals(List.of("name"), published.changedFields());
        MutationResult retried = survivor.store().apply(rename("ada", "Ada Byron", null), origin);
        assertEquals(published, ((MutationResult.Repeated) retried).original());
        assertEquals(2, survivor.listener().events().size());
    }

    @Test
    void aWriteOnTopOfAnotherInstancesUnpublishedCommitPublishesThatCommitFirst() throws Exception {
        Instance a = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        awaitEvents(a.listener(), 1);
        // Another instance committed version 2 and has not published it yet (it may be slow).
        SharedLog log = fixture.log();
        Origin slow = new Origin("tab-slow", 1L);
        Intent intent = Intent.forMutation("slow/1", "slow", rename("ada", "Ada B.", 1L), slow);
        log.intend(a.listener().loaded().epoch(), "ada", intent, null, null);
        JsonObject change = new JsonObject();
        change.addProperty("name", "Ada B.");
        fixture.standIn.updateDirectly("ada", change);

        UpdateStaff mine = new UpdateStaff("ada", new StaffFields(null, "Nurse", null, null, null, List.of("position")), null);
        ChangeEvent event = applied(a.store().apply(mine, new Origin("tab-2", 1L)));
        List<ChangeEvent> events = awaitEvents(a.listener(), 3);
        assertEquals(3, event.sequence());
        assertEquals(slow, events.get(1).origin(), "the slow instance's commit, published for its client first");
        assertEquals(2, events.get(1).row().version());
        assertEquals(3, events.get(2).row().version());
        assertEquals(List.of("position"), events.get(2).changedFields());
    }

    /**
     * Another instance deleted "ada" and created it again (same version 1, a later
     * {@code created_at}), and has published neither yet; the instance returned still has the
     * first "ada" as the published row. Its poller looks rarely, so the writer finds this state.
     */
    private Instance withAdaDeletedAndCreatedAgainUnpublished(Origin deleted, Origin created) throws Exception {
        Instance a = fixture.instance(Duration.ofMinutes(5));
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        awaitEvents(a.listener(), 1);
        SharedLog log = fixture.log();
        String epoch = a.listener().loaded().epoch();
        log.intend(epoch, "ada", Intent.forMutation("slow/1", "slow", new DeleteStaff("ada", null), deleted), null, null);
        assertTrue(fixture.standIn.deleteDirectly("ada"));
        log.intend(epoch, "ada", Intent.forMutation("slow/2", "slow", create("ada", "Ada B."), created), null, null);
        JsonObject values = new JsonObject();
        values.addProperty("id", "ada");
        values.addProperty("name", "Ada B.");
        fixture.standIn.insertDirectly(values);
        return a;
    }

    @Test
    void anUpdateMadeOnTheDeletedIncarnationOfARowNeverLandsOnItsNewIncarnationUnpublished() throws Exception {
        Origin deleted = new Origin("tab-slow", 1L);
        Origin created = new Origin("tab-slow", 2L);
        Instance a = withAdaDeletedAndCreatedAgainUnpublished(deleted, created);

        // The published "ada" is at version 1, and so is the new one in the table: version=eq.1
        // alone would match the new row, and this update would overtake its unpublished create.
        ChangeEvent mine = applied(a.store().apply(rename("ada", "Ada C.", null), new Origin("tab-2", 1L)));
        List<ChangeEvent> events = awaitEvents(a.listener(), 4);
        assertEquals(List.of(Kind.CREATE, Kind.DELETE, Kind.CREATE, Kind.UPDATE),
                events.stream().map(ChangeEvent::kind).toList(), events.toString());
        assertEquals(deleted, events.get(1).origin(), "the slow instance's delete, for its client");
        assertEquals(created, events.get(2).origin(), "the slow instance's create, for its client");
        assertEquals(1, events.get(2).row().version());
        assertEquals(4, mine.sequence());
        assertEquals(new Origin("tab-2", 1L), events.get(3).origin());
        assertEquals(2, mine.row().version());
        assertEquals(events.get(2).row().createdAt(), mine.row().createdAt());
    }

    @Test
    void anUpdateNamingAVersionOfTheDeletedIncarnationIsAConflictWithTheNewRowPublishedFirst() throws Exception {
        Origin deleted = new Origin("tab-slow", 1L);
        Origin created = new Origin("tab-slow", 2L);
        Instance a = withAdaDeletedAndCreatedAgainUnpublished(deleted, created);

        MutationResult result = a.store().apply(rename("ada", "Ada C.", 1L), new Origin("tab-2", 1L));
        MutationResult.Rejected conflict = assertInstanceOf(MutationResult.Rejected.class, result);
        assertEquals(ErrorCode.VERSION_CONFLICT, conflict.code());
        assertTrue(conflict.message().contains("deleted and created again"), conflict.message());
        assertEquals("Ada B.", conflict.current().name());
        List<ChangeEvent> events = awaitEvents(a.listener(), 3);
        assertEquals(List.of(deleted, created), List.of(events.get(1).origin(), events.get(2).origin()));
        assertEquals("Ada B.", fixture.standIn.row("ada").get("name").getAsString(), "the new row is untouched");
    }

    @Test
    void aDeleteMadeOnTheDeletedIncarnationOfARowNeverRemovesItsNewIncarnationUnpublished() throws Exception {
        Origin deleted = new Origin("tab-slow", 1L);
        Origin created = new Origin("tab-slow", 2L);
        Instance a = withAdaDeletedAndCreatedAgainUnpublished(deleted, created);

        ChangeEvent mine = applied(a.store().apply(new DeleteStaff("ada", null), new Origin("tab-2", 1L)));
        List<ChangeEvent> events = awaitEvents(a.listener(), 4);
        assertEquals(List.of(Kind.CREATE, Kind.DELETE, Kind.CREATE, Kind.DELETE),
                events.stream().map(ChangeEvent::kind).toList(), events.toString());
        assertEquals(deleted, events.get(1).origin());
        assertEquals(created, events.get(2).origin(), "the new row's create reaches its client before it is deleted");
        assertEquals(4, mine.sequence());
        assertEquals(new Origin("tab-2", 1L), events.get(3).origin());
    }

    @Test
    void concurrentWritersOnSharedRowsEndWithOneGapFreeSequenceAndIncreasingVersions() throws Exception {
        List<Instance> instances = List.of(fixture.instance(), fixture.instance(), fixture.instance());
        List<String> ids = List.of("r1", "r2", "r3");
        for (String id : ids) {
            applied(instances.get(0).store().apply(create(id, id), new Origin("setup", (long) id.hashCode() & 0xffff)));
        }
        // Two writers per instance, on different rows (as the hub's lanes keep one write per row per
        // instance), so every row has a writer on each of the three instances.
        ExecutorService writers = Executors.newFixedThreadPool(6);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            Instance instance = instances.get(w % 3);
            String client = "writer-" + w;
            List<String> rows = w < 3 ? List.of("r1", "r3") : List.of("r2");
            done.add(writers.submit(() -> {
                int applied = 0;
                for (int i = 0; i < 15; i++) {
                    String id = rows.get(i % rows.size());
                    MutationResult result = instance.store().apply(rename(id, client + "-" + i, null), new Origin(client, (long) i));
                    if (result instanceof MutationResult.Applied) {
                        applied++;
                    } else {
                        assertEquals(ErrorCode.STORE_UNAVAILABLE, ((MutationResult.Rejected) result).code(), result.toString());
                    }
                }
                return applied;
            }));
        }
        int total = ids.size();
        for (Future<Integer> writer : done) {
            total += writer.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();
        List<ChangeEvent> reference = awaitEvents(instances.get(0).listener(), total);
        assertEquals(total, reference.size());
        Map<String, Long> versions = new HashMap<>();
        for (int i = 0; i < reference.size(); i++) {
            ChangeEvent event = reference.get(i);
            assertEquals(i + 1, event.sequence());
            Long before = versions.put(event.row().id(), event.row().version());
            assertTrue(before == null || event.row().version() > before, "versions must increase: " + event);
        }
        for (Instance instance : instances) {
            assertEquals(reference, awaitEvents(instance.listener(), total));
        }
        for (String id : ids) {
            assertEquals(fixture.standIn.row(id).get("version").getAsLong(), versions.get(id));
        }
    }

    @Test
    void withRedisDownChangesAreRefusedAsUnavailableAndNotAppliedThenServiceResumes() throws Exception {
        Instance a = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        String epoch = a.listener().loaded().epoch();
        fixture.redis.stopKeepingData();
        MutationResult refused = a.store().apply(rename("ada", "Never", null), new Origin("tab-1", 2L));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, ((MutationResult.Rejected) refused).code());
        assertEquals("Ada", fixture.standIn.row("ada").get("name").getAsString());
        awaitHealth(a, false);

        fixture.redis.restart();
        awaitHealth(a, true);
        ChangeEvent after = applied(a.store().apply(rename("ada", "Ada L.", null), new Origin("tab-1", 3L)));
        assertEquals(2, after.sequence());
        assertEquals(epoch, a.listener().loaded().epoch(), "Redis kept its data: the numbering goes on");
    }

    @Test
    void afterRedisLostItsDataANewEpochBeginsFromTheTable() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 1L)));
        String oldEpoch = a.listener().loaded().epoch();
        fixture.redis.stopLosingData();
        fixture.redis.restart();
        for (Instance instance : List.of(a, b)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (instance.listener().loaded().epoch().equals(oldEpoch) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            StoreState reloaded = instance.listener().loaded();
            assertNotEquals(oldEpoch, reloaded.epoch());
            assertEquals(0, reloaded.sequence());
            assertEquals("Ada", reloaded.rows().get(0).name(), "the new epoch starts from the table");
        }
        assertEquals(a.listener().loaded().epoch(), b.listener().loaded().epoch());
        awaitHealth(a, true);
        ChangeEvent next = applied(b.store().apply(rename("ada", "Ada L.", 1L), new Origin("tab-2", 1L)));
        assertEquals(1, next.sequence());
        assertFalse(a.listener().events().isEmpty());
    }

    private static void awaitHealth(Instance instance, boolean reachable) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (instance.store().health().reachable() != reachable) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("health never became reachable=" + reachable + ": " + instance.store().health());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aRetryArrivingWhileItsOriginalIsStillBeingWrittenElsewhereGetsTheOriginalOutcome() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        Origin origin = new Origin("tab-1", 3L);
        fixture.standIn.setLatency(java.time.Duration.ofMillis(400));
        ExecutorService first = Executors.newSingleThreadExecutor();
        Future<MutationResult> original = first.submit(() -> a.store().apply(create("ada", "Ada"), origin));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fixture.standIn.requests().stream().noneMatch(request -> request.method().equals("POST")
                && request.body().contains("\"ada\""))) { // until the original is at Supabase (400 ms there)
            assertTrue(System.nanoTime() < deadline, "the original never reached Supabase");
            Thread.sleep(5);
        }
        MutationResult retried = b.store().apply(create("ada", "Ada"), origin);
        ChangeEvent event = applied(original.get(10, TimeUnit.SECONDS));
        first.shutdown();
        assertEquals(event, ((MutationResult.Repeated) retried).original());
        assertEquals(1, awaitEvents(b.listener(), 1).size());
    }

    @Test
    void aRetryWhoseOriginalsInstanceDiedBeforeWritingIsAppliedOnce() throws Exception {
        Instance survivor = fixture.instance();
        Origin origin = new Origin("tab-1", 5L);
        // The dead instance announced the create (and holds its pending marker) but never wrote it.
        Intent intent = Intent.forMutation("dead/1", "dead", create("ada", "Ada"), origin);
        fixture.log().intend(survivor.listener().loaded().epoch(), "ada", intent, null, null);
        ChangeEvent event = applied(survivor.store().apply(create("ada", "Ada"), origin));
        assertEquals(origin, event.origin());
        assertEquals(1, fixture.standIn.rows().size());
        assertEquals(List.of(event), awaitEvents(survivor.listener(), 1));
    }

    @Test
    void theSameKeyWithAnotherMessageOnAnotherInstanceIsSequenceReusedAndNotApplied() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 4L, "fingerprint-of-the-create")));
        MutationResult reused = b.store().apply(create("bob", "Bob"), new Origin("tab-1", 4L, "fingerprint-of-another"));
        assertEquals(ErrorCode.SEQUENCE_REUSED, ((MutationResult.Rejected) reused).code(), reused.toString());
        assertEquals(1, fixture.standIn.rows().size());
        MutationResult resent = b.store().apply(create("ada", "Ada"), new Origin("tab-1", 4L, "fingerprint-of-the-create"));
        assertInstanceOf(MutationResult.Repeated.class, resent);
    }

    @Test
    void theSameKeyFromAnotherUserIsItsOwnChangeOnEveryInstance() throws Exception {
        Instance a = fixture.instance();
        Instance b = fixture.instance();
        applied(a.store().apply(create("ada", "Ada"), new Origin("tab-1", 4L, "fingerprint-a", "user-alice")));
        ChangeEvent bobs = applied(b.store().apply(create("bob", "Bob"), new Origin("tab-1", 4L, "fingerprint-b", "user-bob")));
        assertEquals("user-bob", bobs.origin().subject());
        assertEquals(2, fixture.standIn.rows().size());
        MutationResult alicesRetry = b.store().apply(create("ada", "Ada"), new Origin("tab-1", 4L, "fingerprint-a", "user-alice"));
        assertEquals("user-alice", ((MutationResult.Repeated) alicesRetry).original().origin().subject());
    }
}
