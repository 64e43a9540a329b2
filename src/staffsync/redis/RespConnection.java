package staffsync.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One connection to Redis speaking RESP2, its request/reply protocol: a command is an array of
 * bulk strings; a reply is a simple string, an error, an integer, a bulk string or an array.
 * Replies come back as {@code String} (simple and bulk strings, decoded as UTF-8), {@code Long},
 * {@code List<Object>}, or null (a null bulk string or array); an error reply is thrown as
 * {@link RedisReplyException}.
 *
 * <p>Not thread-safe: one caller at a time (the pool in {@link Redis} hands each connection to
 * one thread; the stream reader owns its own). After an {@link IOException} the connection is
 * in an unknown state and must be closed.
 */
public final class RespConnection implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int timeoutMs;

    private RespConnection(Socket socket, int timeoutMs) throws IOException {
        this.socket = socket;
        this.timeoutMs = timeoutMs;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    /**
     * Connects, and logs in and selects the database as the URL says.
     *
     * @param tls the factory for {@code rediss://} (the JDK's default trusts the system's CAs)
     * @throws IOException when Redis cannot be reached or refuses the credentials
     */
    public static RespConnection open(RedisUrl url, Duration timeout, SSLSocketFactory tls) throws IOException {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(url.host(), url.port()), timeoutMs);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMs);
            if (url.tls()) {
                socket = startTls(socket, url, tls);
            }
            RespConnection connection = new RespConnection(socket, timeoutMs);
            connection.logIn(url);
            return connection;
        } catch (IOException e) {
            socket.close();
            throw withAddress(e, url);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static Socket startTls(Socket plain, RedisUrl url, SSLSocketFactory tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, url.host(), url.port(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private void logIn(RedisUrl url) throws IOException {
        try {
            if (url.password() != null) {
                if (url.user() != null) {
                    call("AUTH", url.user(), url.password());
                } else {
                    call("AUTH", url.password());
                }
            }
            if (url.database() != 0) {
                call("SELECT", Integer.toString(url.database()));
            }
            call("CLIENT", "SETNAME", "staff-sync");
        } catch (RedisReplyException e) {
            // WRONGPASS, NOAUTH, an out-of-range database: the server says what, never the password.
            throw new IOException("Redis refused the connection setup: " + e.getMessage());
        }
    }

    private static IOException withAddress(IOException e, RedisUrl url) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.contains(url.address()) ? e : new IOException("Redis at " + url.address() + ": " + message, e);
    }

    /** Sends one command and reads its reply. */
    public Object call(String... command) throws IOException {
        write(command);
        out.flush();
        return read();
    }

    /**
     * Like {@link #call}, for a command that may block in Redis (XREAD BLOCK): the read waits up
     * to {@code blockMs} longer than the usual timeout.
     */
    public Object callBlocking(long blockMs, String... command) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs + blockMs));
        try {
            return call(command);
        } finally {
            socket.setSoTimeout(timeoutMs);
        }
    }

    /** Sends several commands at once and reads their replies in order (pipelining). */
    public List<Object> pipeline(List<String[]> commands) throws IOException {
        for (String[] command : commands) {
            write(command);
        }
        out.flush();
        List<Object> replies = new ArrayList<>(commands.size());
        RedisReplyException firstError = null;
        for (int i = 0; i < commands.size(); i++) {
            try {
                replies.add(read());
            } catch (RedisReplyException e) {
                firstError = firstError == null ? e : firstError;
                replies.add(null);
            }
        }
        if (firstError != null) {
            throw firstError; // every reply has been read, so the connection stays usable
        }
        return replies;
    }

    private void write(String[] command) throws IOException {
        out.write('*');
        out.write(ascii(command.length));
        out.write(CRLF);
        for (String argument : command) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            out.write('$');
            out.write(ascii(bytes.length));
            out.write(CRLF);
            out.write(bytes);
            out.write(CRLF);
        }
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("Redis closed the connection");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RedisReplyException(line);
            case ':':
                return parseLong(line);
            case '$': {
                long length = parseLong(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes((int) length);
                if (bytes.length != length || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("Redis's reply ended inside a bulk string");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                long count = parseLong(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>((int) Math.min(count, 1024));
                RedisReplyException firstError = null;
                for (long i = 0; i < count; i++) {
                    try {
                        items.add(read());
                    } catch (RedisReplyException e) { // an error inside an array: read the rest first
                        firstError = firstError == null ? e : firstError;
                        items.add(null);
                    }
                }
                if (firstError != null) {
                    throw firstError;
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply (type byte " + type + "): is this a Redis server?");
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("Redis closed the connection inside a reply");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("a RESP line must end with CRLF");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    private static long parseLong(String text) throws IOException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("not a RESP integer: " + text);
        }
    }

    private static byte[] ascii(long number) {
        return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
    }

    /** True when a read timed out: the connection is then unusable (its reply may still come). */
    public static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
