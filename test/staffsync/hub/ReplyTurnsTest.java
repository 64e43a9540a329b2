package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ClientRequest.SyncRequest;

/** Whose turn it is: at most N large replies at once, one per client, the rest in order. */
class ReplyTurnsTest {

    static final class Named implements Client {
        final String id;
        Named(String id) { this.id = id; }
        @Override public String connectionId() { return id; }
        @Override public void send(Frame frame) { }
        @Override public void send(Reply reply) { }
        @Override public boolean isClosed() { return false; }
        @Override public void mutationSettled() { }
        @Override public void failed(String reason) { }
    }

    /** Records what was answered; an ask with period 1 is small, any other large. */
    static final class Recorder implements ReplyTurns.Answers {
        final List<String> answered = new ArrayList<>();
        final List<Reply> streamed = new ArrayList<>();
        final List<Client> clients = new ArrayList<>();

        @Override public boolean isLarge(SyncAsk ask) {
            return ask.request().period() == null;
        }

        @Override public Reply answer(SyncAsk ask) {
            answered.add(ask.client().connectionId() + "#" + ask.inReplyTo());
            if (!isLarge(ask)) {
                return null;
            }
            Reply reply = new Reply() {
                @Override protected ByteBuffer[] piece() { return null; }
            };
            streamed.add(reply);
            clients.add(ask.client());
            return reply;
        }
    }

    static SyncAsk large(Client client, long number) {
        return new SyncAsk(client, new SyncRequest(null, null, null), number);
    }

    static SyncAsk small(Client client, long number) {
        return new SyncAsk(client, new SyncRequest(1L, null, null), number);
    }

    @Test
    void largeRepliesBeyondTheLimitWaitAndGetTheirTurnsInOrder() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(2, 10, answers);
        Client a = new Named("a");
        Client b = new Named("b");
        Client c = new Named("c");
        turns.ask(large(a, 1));
        turns.ask(large(b, 1));
        turns.ask(large(c, 1));
        assertEquals(List.of("a#1", "b#1"), answers.answered);
        assertEquals(1, turns.waiting());

        turns.written(a, answers.streamed.get(0));
        assertEquals(List.of("a#1", "b#1", "c#1"), answers.answered);
        assertEquals(2, turns.inProgress());
    }

    @Test
    void aClientsRequestsAreAnsweredOneAtATimeInTheOrderSent() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(8, 10, answers);
        Client a = new Named("a");
        turns.ask(large(a, 1));
        turns.ask(small(a, 2));
        turns.ask(large(a, 3));
        assertEquals(List.of("a#1"), answers.answered, "even the small one waits for the reply before it");

        turns.written(a, answers.streamed.get(0));
        assertEquals(List.of("a#1", "a#2", "a#3"), answers.answered);
    }

    @Test
    void aClientWithManyRequestsDoesNotKeepTheTurnFromOthers() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(1, 10, answers);
        Client greedy = new Named("greedy");
        Client other = new Named("other");
        turns.ask(large(greedy, 1));
        turns.ask(large(greedy, 2));
        turns.ask(large(other, 1));
        turns.written(greedy, answers.streamed.get(0));
        assertEquals(List.of("greedy#1", "other#1"), answers.answered);
        turns.written(other, answers.streamed.get(1));
        assertEquals(List.of("greedy#1", "other#1", "greedy#2"), answers.answered);
    }

    @Test
    void aSmallReplyOfAnIdleClientIsAnsweredAtOnceEvenWhenEveryTurnIsTaken() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(1, 10, answers);
        turns.ask(large(new Named("a"), 1));
        turns.ask(small(new Named("b"), 1));
        assertEquals(List.of("a#1", "b#1"), answers.answered);
    }

    @Test
    void aClientThatLeavesGivesBackItsTurnAndItsWaitingRequests() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(1, 10, answers);
        Client gone = new Named("gone");
        Client next = new Named("next");
        turns.ask(large(gone, 1));
        turns.ask(large(gone, 2));
        turns.ask(large(next, 1));
        turns.forget(gone);
        assertEquals(List.of("gone#1", "next#1"), answers.answered);
        assertEquals(0, turns.waiting());
        turns.written(gone, answers.streamed.get(0)); // a late report changes nothing
        assertEquals(1, turns.inProgress());
    }

    @Test
    void requestsBeyondTheWaitingLimitAreRefused() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(1, 2, answers);
        Client a = new Named("a");
        assertTrue(turns.ask(large(a, 1)));
        assertTrue(turns.ask(large(a, 2)));
        assertTrue(turns.ask(large(a, 3)));
        assertFalse(turns.ask(large(a, 4)));
        assertEquals(2, turns.waiting());
    }

    @Test
    void waitingRequestsStartInRoundsOnceHalfTheTurnsAreFree() {
        Recorder answers = new Recorder();
        ReplyTurns turns = new ReplyTurns(4, 10, answers);
        for (int i = 0; i < 8; i++) {
            turns.ask(large(new Named("c" + i), 1));
        }
        assertEquals(4, turns.inProgress());
        turns.written(clientOf(answers, 0), answers.streamed.get(0));
        assertEquals(3, turns.inProgress(), "one free turn is not yet a round");
        turns.written(clientOf(answers, 1), answers.streamed.get(1));
        assertEquals(4, turns.inProgress(), "two free turns of four: the next two start together");
        assertEquals(List.of("c0#1", "c1#1", "c2#1", "c3#1", "c4#1", "c5#1"), answers.answered);
    }

    private static Client clientOf(Recorder answers, int index) {
        return answers.clients.get(index);
    }
}
