package staffsync;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The last line of defence, installed by Main as the default uncaught-exception handler: no
 * thread of this server dies silently.
 *
 * <ul>
 *   <li>An {@link OutOfMemoryError}, wherever it surfaces, ends the process with status
 *       {@value #EXIT_OUT_OF_MEMORY} (the status {@code -XX:+ExitOnOutOfMemoryError} uses) after one
 *       clear log line, so a supervisor restarts a clean server instead of leaving a half-working
 *       one that still answers {@code /ready}. The hub, the store lanes and the WebSocket edge hand
 *       such an error here; every other thread reaches it by not catching it.</li>
 *   <li>Any other uncaught throwable is logged with the thread it ended. (The hub and the
 *       WebSocket listener do not end that way: the hub survives a failed event, and a listener
 *       that stops is {@linkplain #halt fatal}.)</li>
 * </ul>
 *
 * An OutOfMemoryError that a JDK or library executor swallows never reaches any handler; that is
 * why {@code make run} and the Docker image also pass {@code -XX:+ExitOnOutOfMemoryError}, which
 * ends the JVM at the first one, wherever it is.
 *
 * <p>Thread-safety: {@link #halt} is synchronized, so one thread writes the last words, and
 * {@link #sayLast} closes the log handler to every other thread's records.
 */
final class FatalErrors implements Thread.UncaughtExceptionHandler {
    static final int EXIT_OUT_OF_MEMORY = 3;
    static final int EXIT_SERVER_STOPPED = 1;
    private static final Logger LOG = Logger.getLogger(FatalErrors.class.getName());

    private final Handler log;
    /** Let go when memory has run out, so that writing the last log line finds room. Guarded by this. */
    private byte[] reserve = new byte[1024 * 1024];
    /** Prepared at start: the line written when out of memory even logging fails. */
    private final byte[] outOfMemoryLine = ("staff-sync: OutOfMemoryError (no memory left to log it in full): exiting with"
            + " status " + EXIT_OUT_OF_MEMORY + " so that a supervisor restarts the server\n").getBytes(StandardCharsets.UTF_8);
    private final PrintStream stderr = System.err;

    FatalErrors(Handler log) {
        this.log = log;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        if (isOutOfMemory(error)) {
            halt("OutOfMemoryError in thread " + thread.getName() + " (" + error.getMessage() + ")", error,
                    EXIT_OUT_OF_MEMORY);
        }
        LOG.log(Level.SEVERE, "thread " + thread.getName() + " ended by an uncaught " + error, error);
    }

    /** Logs why, as the log's last line, then ends the process at once: no shutdown hook, which could itself hang. */
    synchronized void halt(String why, Throwable cause, int status) {
        reserve = null;
        try {
            // Out of memory, the stack trace of whichever allocation failed says little and costs memory.
            sayLast(why + "; exiting with status " + status + " so that a supervisor restarts the server",
                    status == EXIT_OUT_OF_MEMORY ? null : cause);
        } catch (Throwable loggingFailed) {
            if (status == EXIT_OUT_OF_MEMORY) {
                stderr.write(outOfMemoryLine, 0, outOfMemoryLine.length);
                stderr.flush();
            }
        }
        Runtime.getRuntime().halt(status);
    }

    /**
     * Writes one SEVERE record and makes it the log's last: from now on the handler lets nothing
     * else through. Other threads are still running until the halt, and some are failing too: out
     * of memory, a Java-WebSocket worker logs its own "Shutdown due to fatal error" before it
     * hands us the error, and that line landed after ours in about 1 run in 8. The gate closes
     * before our record is written because the handler checks its filter under the same lock as
     * it writes: a record that got past the filter earlier is written before ours, any later one
     * not at all.
     */
    void sayLast(String message, Throwable thrown) {
        LogRecord last = new LogRecord(Level.SEVERE, message);
        last.setLoggerName(LOG.getName());
        last.setThrown(thrown);
        log.setFilter(record -> record == last);
        log.publish(last);
        log.flush();
    }

    /** The WebSocket edge wraps the library's fatal errors in an Exception: look through causes. */
    static boolean isOutOfMemory(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }
}
