package staffsync.store.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.protocol.Timestamps;

/**
 * The version gate, on the Java side: given a row's shared state and what was found in the
 * table, is it news, and which events publish it? Redis then publishes the plan only if the
 * row's mark has not moved since it was read, so a plan made here is never applied on top of
 * something it did not see (docs/cluster.md, "Why each promise holds").
 *
 * <p>News means strictly newer than what is published: the same incarnation (same
 * {@code created_at}) at a higher version, or a newer incarnation (a later {@code created_at}
 * than the published row's and than the last deleted one's), or the disappearance of the
 * published incarnation. Anything else is old news and is not published again. Stateless.
 */
final class Gate {
    private Gate() {}

    /**
     * A plan for this instance's own committed write, answering its client; null when the
     * published state has already reached it (someone published it, or something newer).
     *
     * @param changedFields the fields the client's update named
     */
    static Plan forOwn(RowView view, Observed observed, Intent own, List<String> changedFields) {
        return plan(view, observed, candidates -> own, changedFields);
    }

    /**
     * A plan for a state found in the table: it answers the one announced write it matches
     * (never {@code excludedIntentId}, the helper's own write, which it knows did not make this
     * state), or nobody when none or several match. Null when the state is not news.
     */
    static Plan forHelp(RowView view, Observed observed, String excludedIntentId) {
        return plan(view, observed, candidates -> unique(view, excludedIntentId, candidates), List.of());
    }

    /** Picks who the final event answers, from a test of which intents could have made it. */
    private interface Attribution {
        Intent pick(Predicate<Intent> couldHaveMadeIt);
    }

    private static Plan plan(RowView view, Observed observed, Attribution attribution, List<String> ownFields) {
        StaffRow published = view.published();
        if (observed instanceof Observed.Gone gone) {
            if (published == null || (gone.incarnation() != null && !gone.incarnation().equals(published.createdAt()))) {
                return null;
            }
            Intent who = attribution.pick(intent -> intent.kind() == Kind.DELETE
                    && published.createdAt().equals(intent.incarnation()));
            ChangeEvent delete = event(Kind.DELETE, published, List.of(), Timestamps.now(), who);
            return new Plan(List.of(delete), null, published.createdAt(), who);
        }
        StaffRow row = ((Observed.Present) observed).row();
        if (published != null && published.createdAt().equals(row.createdAt())) {
            if (row.version() <= published.version()) {
                return null;
            }
            Intent who = attribution.pick(intent -> intent.kind() == Kind.UPDATE
                    && row.createdAt().equals(intent.incarnation())
                    && intent.base() != null && intent.base() + 1 == row.version() && intent.valuesMatch(row));
            Set<String> fields = new LinkedHashSet<>(who == null ? List.of() : ownFields.isEmpty() ? who.fieldNames() : ownFields);
            fields.addAll(row.fieldsDifferingFrom(published));
            return new Plan(List.of(event(Kind.UPDATE, row, new ArrayList<>(fields), row.updatedAt(), who)), row, null, who);
        }
        boolean newerIncarnation = published != null ? isAfter(row.createdAt(), published.createdAt())
                : view.tomb() == null || isAfter(row.createdAt(), view.tomb());
        if (!newerIncarnation) {
            return null;
        }
        Intent who = attribution.pick(intent -> intent.kind() == Kind.CREATE && row.version() == 1 && intent.valuesMatch(row));
        ChangeEvent create = event(Kind.CREATE, row, List.of(), row.updatedAt(), who);
        if (published == null) {
            return new Plan(List.of(create), row, null, who);
        }
        // The id was deleted and created again without anyone seeing the delete: publish both.
        ChangeEvent delete = event(Kind.DELETE, published, List.of(), Timestamps.now(), null);
        return new Plan(List.of(delete, create), row, published.createdAt(), who);
    }

    private static Intent unique(RowView view, String excludedIntentId, Predicate<Intent> couldHaveMadeIt) {
        Intent found = null;
        for (Intent intent : view.intents().values()) {
            if (intent.id().equals(excludedIntentId) || intent.isWithdrawn() || !couldHaveMadeIt.test(intent)) {
                continue;
            }
            if (found != null) {
                return null; // two writes could have made it: answering either might answer the wrong client
            }
            found = intent;
        }
        return found;
    }

    private static ChangeEvent event(Kind kind, StaffRow row, List<String> fields, String timestamp, Intent who) {
        Origin origin = who == null ? Origin.SERVER : who.origin();
        return new ChangeEvent(0, kind, row, fields, timestamp, origin);
    }

    private static boolean isAfter(String createdAt, String than) {
        return Instant.parse(createdAt).isAfter(Instant.parse(than));
    }
}
