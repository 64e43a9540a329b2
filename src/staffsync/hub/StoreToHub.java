package staffsync.hub;

import java.util.function.Consumer;
import staffsync.hub.HubEvent.Committed;
import staffsync.hub.HubEvent.Loaded;
import staffsync.protocol.ChangeEvent;
import staffsync.store.CommitListener;
import staffsync.store.StoreState;

/**
 * The store's side of the hub: its callbacks, called on the store's own thread (a lane, the
 * file store's committer, the Supabase poller, the cluster's stream reader), become hub events.
 * Nothing else happens here, so nothing the hub owns is touched off the hub thread.
 */
final class StoreToHub implements CommitListener {
    private final Consumer<HubEvent> hub;

    StoreToHub(Consumer<HubEvent> hub) {
        this.hub = hub;
    }

    @Override
    public void loaded(StoreState state) {
        hub.accept(new Loaded(state));
    }

    @Override
    public void committed(ChangeEvent event) {
        hub.accept(new Committed(event));
    }
}
