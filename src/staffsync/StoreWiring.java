package staffsync;

import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;
import staffsync.config.Config;
import staffsync.config.ConfigException;
import staffsync.metrics.Metrics;
import staffsync.redis.Redis;
import staffsync.redis.RedisUrl;
import staffsync.store.MemoryStore;
import staffsync.store.StaffStore;
import staffsync.store.StoreStartException;
import staffsync.store.cluster.ClusterLedger;
import staffsync.store.file.FileStore;
import staffsync.store.supabase.ApiKey;
import staffsync.store.supabase.SupabaseStore;

/**
 * Part of Main's wiring: the store the configuration asks for (STORE), with its settings read
 * from {@link Config} and its requests counted in {@link Metrics}. It lives here, above the
 * store packages, so that {@code staffsync.store} and its subpackages depend on nothing above
 * them: they take plain values and callbacks, never the configuration or the metrics.
 */
final class StoreWiring {
    private StoreWiring() {}

    /**
     * @throws StoreStartException when the durable store cannot lock or load its data directory
     */
    static StaffStore open(Config config, Metrics metrics) throws ConfigException {
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
        SupabaseStore.Settings settings = SupabaseStore.Settings.of(Duration.ofMillis(config.supabaseTimeoutMs()),
                Duration.ofMillis(config.supabasePollMs()));
        if (config.redisUrl().isEmpty()) {
            return new SupabaseStore(config.supabaseUrl(), key, config.supabaseTable(), settings, metrics::supabaseRequest);
        }
        // Several instances (REDIS_URL): they number and publish through Redis (docs/cluster.md).
        Redis redis = new Redis(RedisUrl.parse(config.redisUrl()), Duration.ofMillis(config.redisTimeoutMs()),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), metrics::redisRoundTrip);
        ClusterLedger.Settings shared = new ClusterLedger.Settings(Duration.ofMillis(config.redisTimeoutMs()),
                Duration.ofMillis(config.redisRetryTtlMs()), settings.timeout(), config.historySize());
        return new SupabaseStore(config.supabaseUrl(), key, config.supabaseTable(), settings, metrics::supabaseRequest,
                table -> new ClusterLedger(redis, config.supabaseTable(), table, shared));
    }
}
