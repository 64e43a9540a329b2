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
 * table, is it news, and which event publishes it? Redis then publishes the plan only if the
 * row's mark has not moved since it was read, so a plan made here is never applied on top of
 * something it did not see (docs/cluster.md, "Why each promise holds").
 *
 * <p>News means strictly newer than what is published: the same incarnation (same
 * {@code created_at}) at a higher version, or a newer incarnation (a later {@code created_at}
 * than the published row's and than the last deleted one's), or the disappearance of the
 * published incarnation. Anything else is old news and is not published again.
 *
 * <p>One plan is one event. A newer incarnation found while an older one is published means
 * the id was deleted and created again before anyone published the delete: the plan is then
 * that delete (for the delete it matches), and the caller asks again for the create. Stateless.
 */
final class Gate {
    private Gate() {}

    /**
     * The next plan towards publishing this instance's own committed write (its last plan
     * answers its client); null when the published state has already reached the write
     * (someone published it, or something newer).
     *
     * @param changedFields the fields the client's update named
     */
    static Plan forOwn(RowView view, Observed observed, Intent own, List<String> changedFields) {
        return plan(view, observed, own, own.id(), changedFields);
    }

    /**
     * The next plan towards publishing a state found in the table: it answers the one announced
     * write it matches (never {@code excludedIntentId}, the helper's own write, which it knows
     * did not make this state), or nobody when none or several match (then it names them as
     * contenders: the caller may rather leave the state to them). Null when not news.
     */
    static Plan forHelp(RowView view, Observed observed, String excludedIntentId) {
        return plan(view, observed, null, excludedIntentId, List.of());
    }

    private static Plan plan(RowView view, Observed observed, Intent own, String excluded, List<String> ownFields) {
        StaffRow published = view.published();
        if (observed instanceof Observed.Gone gone) {
            if (published == null || (gone.incarnation() != null && !gone.incarnation().equals(published.createdAt()))) {
                return null;
            }
            return deletion(view, published, own, excluded);
        }
        StaffRow row = ((Observed.Present) observed).row();
        if (published != null && published.createdAt().equals(row.createdAt())) {
            if (row.version() <= published.version()) {
                return null;
            }
            List<Intent> could = own != null ? List.of(own) : candidates(view, excluded, intent -> intent.kind() == Kind.UPDATE
                    && row.createdAt().equals(intent.incarnation())
                    && intent.base() != null && intent.base() + 1 == row.version() && intent.valuesMatch(row));
            Intent who = could.size() == 1 ? could.get(0) : null;
            Set<String> fields = new LinkedHashSet<>(who == null ? List.of() : own != null ? ownFields : who.fieldNames());
            fields.addAll(row.fieldsDifferingFrom(published));
            ChangeEvent update = event(Kind.UPDATE, row, new ArrayList<>(fields), row.updatedAt(), who);
            return new Plan(update, row, null, who, own != null, contenders(could));
        }
        boolean newerIncarnation = published != null ? isAfter(row.createdAt(), published.createdAt())
                : view.tomb() == null || isAfter(row.createdAt(), view.tomb());
        if (!newerIncarnation) {
            return null;
        }
        if (published != null) {
            return deletion(view, published, null, excluded); // first the old row's delete; then ask again
        }
        List<Intent> could = own != null ? List.of(own) : candidates(view, excluded, intent -> intent.kind() == Kind.CREATE
                && row.version() == 1 && intent.valuesMatch(row));
        Intent who = could.size() == 1 ? could.get(0) : null;
        return new Plan(event(Kind.CREATE, row, List.of(), row.updatedAt(), who), row, null, who, own != null,
                contenders(could));
    }

    /** The published row is gone: its delete, for the caller's own delete or the one other delete of it. */
    private static Plan deletion(RowView view, StaffRow published, Intent own, String excluded) {
        List<Intent> could = own != null && own.kind() == Kind.DELETE ? List.of(own) : candidates(view, excluded,
                intent -> intent.kind() == Kind.DELETE && published.createdAt().equals(intent.incarnation()));
        Intent who = could.size() == 1 ? could.get(0) : null;
        ChangeEvent delete = event(Kind.DELETE, published, List.of(), Timestamps.now(), who);
        return new Plan(delete, null, published.createdAt(), who, who != null && who == own, contenders(could));
    }

    /** The announced writes (other than the excluded one, and not withdrawn) that could have made the state. */
    private static List<Intent> candidates(RowView view, String excludedIntentId, Predicate<Intent> couldHaveMadeIt) {
        List<Intent> found = new ArrayList<>();
        for (Intent intent : view.intents().values()) {
            if (!intent.id().equals(excludedIntentId) && !intent.isWithdrawn() && couldHaveMadeIt.test(intent)) {
                found.add(intent);
            }
        }
        return found;
    }

    /** Two or more writes could have made it: answering either might answer the wrong client. */
    private static List<Intent> contenders(List<Intent> could) {
        return could.size() > 1 ? could : List.of();
    }

    private static ChangeEvent event(Kind kind, StaffRow row, List<String> fields, String timestamp, Intent who) {
        Origin origin = who == null ? Origin.SERVER : who.origin();
        return new ChangeEvent(0, kind, row, fields, timestamp, origin);
    }

    private static boolean isAfter(String createdAt, String than) {
        return Instant.parse(createdAt).isAfter(Instant.parse(than));
    }
}
