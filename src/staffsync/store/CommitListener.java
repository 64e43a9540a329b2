package staffsync.store;

import staffsync.protocol.ChangeEvent;

/** Receives what a store knows, in order. The hub implements it by queueing hub events. */
public interface CommitListener {

    /** The store's full contents and numbering; replaces whatever the listener knew before. */
    void loaded(StoreState state);

    /** One committed change, called in strictly increasing sequence order. Must not block. */
    void committed(ChangeEvent event);
}
