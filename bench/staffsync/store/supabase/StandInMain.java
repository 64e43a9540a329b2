package staffsync.store.supabase;

/**
 * The PostgREST stand-in (test/staffsync/store/supabase) as a process of its own, for the
 * benchmark's Supabase scenario (r): prints its URL and key, then serves until it is killed.
 */
public final class StandInMain {
    private StandInMain() {}

    public static void main(String[] args) throws Exception {
        // The JDK's HttpServer leaves Nagle's algorithm on: its body then waits for the client's
        // delayed ACK of the headers (about 40 ms per request on Linux), which would measure the
        // stand-in rather than staff-sync. Supabase's gateway does not do that.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        PostgrestStandIn standIn = PostgrestStandIn.start();
        System.out.println("url " + standIn.url());
        System.out.println("key " + PostgrestStandIn.SECRET_KEY);
        System.out.flush();
        Thread.currentThread().join();
    }
}
