package staffsync.store;

import staffsync.config.Config;
import staffsync.config.ConfigException;

/** Picks the store the configuration asks for. */
public final class Stores {
    private Stores() {}

    public static StaffStore open(Config config) throws ConfigException {
        return switch (config.store()) {
            case MEMORY -> new MemoryStore();
            case FILE -> throw new ConfigException("STORE=file: the durable store is not built yet");
            case SUPABASE -> throw new ConfigException("STORE=supabase: the Supabase store is not built yet");
        };
    }
}
