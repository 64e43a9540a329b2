package staffsync.store.file;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import staffsync.protocol.ChangeEvent;

/**
 * The last {@code limit} durable events, oldest first: what the hub gets back at start for
 * replay and retry detection, and what each snapshot carries forward.
 *
 * <p>Owned by one thread at a time (the opening thread, then the writer thread); not thread-safe.
 */
final class RecentEvents {
    private final int limit;
    private final ArrayDeque<ChangeEvent> events = new ArrayDeque<>();

    RecentEvents(int limit) {
        this.limit = limit;
    }

    void add(ChangeEvent event) {
        if (limit == 0) {
            return;
        }
        if (events.size() == limit) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    List<ChangeEvent> list() {
        return new ArrayList<>(events);
    }
}
