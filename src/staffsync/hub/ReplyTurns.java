package staffsync.hub;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Whose turn it is to be sent a large reply. At most {@code maxInProgress} large replies are
 * being written at once, which bounds the memory replies hold (REPLY_MEMORY_BYTES), and a
 * client has at most one. Beyond that, requests wait: a client's in the order it sent them,
 * clients in the order they began waiting for a turn. A small reply takes no turn and is
 * answered at once, unless the same client has a request before it still waiting or being
 * written (its replies always come in the order asked).
 *
 * <p>Waiting requests start in rounds (see {@link #serveWaitingForTurn}).
 *
 * <p>Owned by the hub thread, like everything it refers to.
 */
final class ReplyTurns {

    /** What the hub does when a request's turn comes. */
    interface Answers {
        /** True when the reply would be large: streamed, holding a turn until written. */
        boolean isLarge(SyncAsk ask);

        /** Sends the reply; returns it when streamed (large), null when it was sent whole. */
        Reply answer(SyncAsk ask);
    }

    /** One client's requests: the reply being written, if any, then those waiting. */
    private static final class Line {
        Reply inProgress;
        final ArrayDeque<SyncAsk> waiting = new ArrayDeque<>();
        boolean waitingForTurn;
    }

    private final int maxInProgress;
    private final int maxWaitingPerClient;
    private final Answers answers;
    private final Map<Client, Line> lines = new IdentityHashMap<>();
    /** Clients whose next request is large and found every turn taken, oldest first. */
    private final ArrayDeque<Client> waitingForTurn = new ArrayDeque<>();
    private int inProgress;
    private int waiting;

    ReplyTurns(int maxInProgress, int maxWaitingPerClient, Answers answers) {
        this.maxInProgress = maxInProgress;
        this.maxWaitingPerClient = maxWaitingPerClient;
        this.answers = answers;
    }

    /** Takes a request; false (and nothing done) when the client already has too many waiting. */
    boolean ask(SyncAsk ask) {
        Line line = lines.computeIfAbsent(ask.client(), client -> new Line());
        if (line.waiting.size() >= maxWaitingPerClient) {
            return false;
        }
        line.waiting.add(ask);
        waiting++;
        serve(ask.client(), line, false);
        return true;
    }

    /** A large reply was written to the end: its turn goes to the next in line. */
    void written(Client client, Reply reply) {
        Line line = lines.get(client);
        if (line == null || line.inProgress != reply) {
            return; // the client left first, and gave its turn back then
        }
        line.inProgress = null;
        inProgress--;
        serve(client, line, false);
        serveWaitingForTurn();
    }

    /** The client has gone: its turn and its waiting requests are given up. */
    void forget(Client client) {
        Line line = lines.remove(client);
        if (line == null) {
            return;
        }
        waiting -= line.waiting.size();
        if (line.waitingForTurn) {
            waitingForTurn.remove(client);
        }
        if (line.inProgress != null) {
            inProgress--;
            serveWaitingForTurn();
        }
    }

    int inProgress() {
        return inProgress;
    }

    int waiting() {
        return waiting;
    }

    /**
     * Answers the client's requests in order until one must wait: for its own reply in
     * progress, or for a turn ({@code turnGiven}: one is free and is this client's).
     */
    private void serve(Client client, Line line, boolean turnGiven) {
        while (line.inProgress == null && !line.waiting.isEmpty()) {
            SyncAsk ask = line.waiting.peek();
            boolean large = answers.isLarge(ask);
            if (large && !turnGiven && (inProgress >= maxInProgress || !waitingForTurn.isEmpty())) {
                if (!line.waitingForTurn) {
                    line.waitingForTurn = true;
                    waitingForTurn.add(client);
                }
                return;
            }
            line.waiting.poll();
            waiting--;
            Reply reply = answers.answer(ask);
            if (reply != null) {
                line.inProgress = reply;
                inProgress++;
            }
        }
        if (line.inProgress == null && line.waiting.isEmpty()) {
            lines.remove(client);
        }
    }

    /**
     * Turns are given in rounds, once at least half of them are free: replies that start
     * together read the same chunks at about the same moments, so they share them (see
     * {@link EncodedRows}) instead of each encoding its own, as replies started one by one
     * at scattered times would.
     */
    private void serveWaitingForTurn() {
        if (inProgress > maxInProgress / 2) {
            return;
        }
        while (inProgress < maxInProgress && !waitingForTurn.isEmpty()) {
            Client client = waitingForTurn.poll();
            Line line = lines.get(client);
            line.waitingForTurn = false;
            serve(client, line, true);
        }
    }
}
