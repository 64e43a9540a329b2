package staffsync;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import staffsync.protocol.Timestamps;
import staffsync.ws.library.LibraryLogFilter;

/**
 * java.util.logging, one line per record: time, level, thread, logger, message. Java-WebSocket
 * logs through slf4j, and the slf4j-jdk14 binding routes those lines here too.
 */
final class LogSetup {
    private LogSetup() {}

    static Handler install(Level level) {
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof KeepLoggingManager keeping) {
            keeping.resetForSetup();
        } else {
            manager.reset();
        }
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler(); // writes to stderr
        handler.setFormatter(new OneLine());
        handler.setLevel(level);
        handler.setFilter(new LibraryLogFilter());
        root.addHandler(handler);
        root.setLevel(level);
        // The library is chatty at FINE and below about every frame; keep it at INFO unless asked.
        Logger.getLogger("org.java_websocket").setLevel(level.intValue() < Level.INFO.intValue() ? Level.INFO : level);
        return handler;
    }

    /**
     * Anything shaped like a JWT (three base64url parts, the first starting {@code eyJ}, which is
     * {@code {"} encoded): an access token or a legacy Supabase key. No code logs one on purpose;
     * this keeps a library's message or an exception text from carrying one into the log.
     */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    static String redactTokens(String text) {
        return text.contains("eyJ") ? JWT.matcher(text).replaceAll("[redacted JWT]") : text;
    }

    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160)
                    .append(Timestamps.format(Instant.ofEpochMilli(record.getMillis()))).append(' ')
                    .append(record.getLevel().getName()).append(" [")
                    .append(Thread.currentThread().getName()).append("] ")
                    .append(shortName(record.getLoggerName())).append(": ")
                    .append(formatMessage(record).replace('\n', ' '));
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(" | ").append(trace.toString().strip().replace("\n", " | "));
            }
            return redactTokens(line.append('\n').toString());
        }

        private static String shortName(String logger) {
            if (logger == null) {
                return "-";
            }
            int dot = logger.lastIndexOf('.');
            return dot < 0 ? logger : logger.substring(dot + 1);
        }
    }
}
