package staffsync.hub;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hub sends during one turn (a batch of events taken from its queue), held back and
 * handed to each client once at the end of the turn: several frames for one client become one
 * buffer, so a busy stream costs each connection one queue entry, one wake-up of its writer
 * and one write per turn instead of one per message. When a turn's frames for a client are
 * exactly the turn's broadcasts (the usual case), every such client shares one joined buffer.
 *
 * <p>Owned by the hub thread; nothing here is shared.
 */
final class Outbox {
    private final Map<Client, List<Frame>> pending = new IdentityHashMap<>();
    /** Frames sent to every registered client this turn, in order. */
    private final List<Frame> broadcasts = new ArrayList<>();
    private Frame joinedBroadcasts;

    void send(Client client, Frame frame) {
        pending.computeIfAbsent(client, c -> new ArrayList<>(4)).add(frame);
    }

    void broadcast(Iterable<Client> clients, Frame frame) {
        broadcasts.add(frame);
        for (Client client : clients) {
            send(client, frame);
        }
    }

    /** What to do about a client whose send threw: the others still get theirs. */
    interface SendFailure {
        void failed(Client client, Throwable failure);
    }

    /** Hands every client its frames, joined, then starts a new turn. */
    void flush(SendFailure onFailure) {
        try {
            for (Map.Entry<Client, List<Frame>> entry : pending.entrySet()) {
                List<Frame> frames = entry.getValue();
                try {
                    entry.getKey().send(frames.size() == 1 ? frames.get(0) : joined(frames));
                } catch (Throwable failure) {
                    onFailure.failed(entry.getKey(), failure);
                }
            }
        } finally {
            pending.clear();
            broadcasts.clear();
            joinedBroadcasts = null;
        }
    }

    private Frame joined(List<Frame> frames) {
        if (sameFrames(frames, broadcasts)) {
            if (joinedBroadcasts == null) {
                joinedBroadcasts = join(broadcasts);
            }
            return joinedBroadcasts;
        }
        return join(frames);
    }

    private static boolean sameFrames(List<Frame> a, List<Frame> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** WebSocket frames are self-delimiting, so joined frames are simply their bytes end to end. */
    private static Frame join(List<Frame> frames) {
        int size = 0;
        for (Frame frame : frames) {
            size += frame.size();
        }
        byte[] wire = new byte[size];
        int at = 0;
        for (Frame frame : frames) {
            System.arraycopy(frame.wire(), 0, wire, at, frame.size());
            at += frame.size();
        }
        return new Frame(wire);
    }
}
