package staffsync.store;

import staffsync.config.Config;
import staffsync.config.ConfigException;
import staffsync.metrics.Metrics;
import staffsync.store.supabase.ApiKey;
import staffsync.store.supabase.SupabaseStore;
import staffsync.store.file.FileStore;

/** Picks the store the configuration asks for. */
public final class Stores {
    private Stores() {}

    /**
     * @throws StoreStartException when the durable store cannot lock or load its data directory
     */
    public static StaffStore open(Config config, Metrics metrics) throws ConfigException {
        return switch (config.store()) {
            case MEMORY -> new MemoryStore();
            case FILE -> FileStore.open(config.dataDir(), new FileStore.Options(config.logCompactBytes(),
                    // the hub rebuilds both its replay history and its retry table from these events
                    Math.max(config.historySize(), config.dedupSize())));
            case SUPABASE -> openSupabase(config, metrics);
        };
    }

    private static StaffStore openSupabase(Config config, Metrics metrics) throws ConfigException {
        ApiKey key;
        try {
            key = ApiKey.parse(config.supabaseServiceKey());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage()); // the message names the variable, never the key
        }
        return new SupabaseStore(config.supabaseUrl(), key, config.supabaseTable(), SupabaseStore.Settings.from(config),
                metrics::supabaseRequest);
    }
}
