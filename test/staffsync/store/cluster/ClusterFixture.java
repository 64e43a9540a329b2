package staffsync.store.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import staffsync.redis.Redis;
import staffsync.redis.RedisUrl;
import staffsync.store.supabase.ApiKey;
import staffsync.store.supabase.PostgrestStandIn;
import staffsync.store.supabase.RequestObserver;
import staffsync.store.supabase.SupabaseStore;
import staffsync.support.RecordingListener;
import staffsync.support.RedisServer;

/**
 * A real redis-server and the PostgREST stand-in, and Supabase stores sharing them through
 * {@link ClusterLedger}: several "instances" in one JVM, each with its own listener. A JUnit
 * extension: everything is started before each test and closed after it.
 */
final class ClusterFixture implements BeforeEachCallback, AfterEachCallback {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration POLL = Duration.ofMillis(100);
    static final String TABLE = "staff_members";

    RedisServer redis;
    PostgrestStandIn standIn;
    private final List<SupabaseStore> stores = new ArrayList<>();

    /** One instance: its store and what its hub would have received. */
    record Instance(SupabaseStore store, RecordingListener listener) {}

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        redis = RedisServer.start();
        standIn = PostgrestStandIn.start(TABLE);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (SupabaseStore store : stores) {
            store.close();
        }
        standIn.close();
        redis.close();
    }

    /** A new instance, started and loaded. */
    Instance instance() throws InterruptedException {
        return instance(POLL);
    }

    /**
     * A new instance whose poller looks at the table every {@code poll}: a long one keeps the
     * poller from publishing, first, a state that a test plays by hand for a writer to find.
     */
    Instance instance(Duration poll) throws InterruptedException {
        RecordingListener listener = new RecordingListener();
        SupabaseStore store = newStore(poll);
        store.start(listener);
        listener.awaitLoaded(WAIT);
        return new Instance(store, listener);
    }

    SupabaseStore newStore() {
        return newStore(POLL);
    }

    private SupabaseStore newStore(Duration poll) {
        Redis client = new Redis(RedisUrl.parse(redis.url()), Duration.ofSeconds(1),
                (SSLSocketFactory) SSLSocketFactory.getDefault());
        ClusterLedger.Settings shared = new ClusterLedger.Settings(Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofMillis(800), 1000);
        SupabaseStore store = new SupabaseStore(standIn.url(), ApiKey.parse(PostgrestStandIn.SECRET_KEY), TABLE,
                new SupabaseStore.Settings(Duration.ofMillis(800), poll, Duration.ofMillis(200), Duration.ofSeconds(1)),
                RequestObserver.NONE, table -> new ClusterLedger(client, TABLE, table, shared));
        stores.add(store);
        return store;
    }

    /** The shared log as an instance sees it, for a test that plays a part by hand. */
    SharedLog log() {
        return new SharedLog(new Redis(RedisUrl.parse(redis.url()), Duration.ofSeconds(1),
                (SSLSocketFactory) SSLSocketFactory.getDefault()), TABLE, 1000, Duration.ofMinutes(1));
    }
}
