package staffsync.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where Redis is and how to log in: {@code redis://[user:password@]host[:port][/db]}, or
 * {@code rediss://} for TLS (the scheme Redis's own tools use). Immutable.
 *
 * <p>The password never leaves this class except into the AUTH command: {@link #toString}
 * shows {@code ***} in its place, and parse errors never quote the URL.
 *
 * @param user     null for the default user (AUTH with the password alone)
 * @param password null for no AUTH
 */
public record RedisUrl(boolean tls, String host, int port, String user, String password, int database) {
    public static final int DEFAULT_PORT = 6379;

    /** @throws IllegalArgumentException saying what is wrong, without the URL's text (it may hold a password) */
    public static RedisUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("REDIS_URL is not a URL (expected redis://[user:password@]host:port/db)");
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("REDIS_URL must start with redis:// or rediss://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("REDIS_URL has no host (expected redis://[user:password@]host:port/db)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 literal
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("REDIS_URL takes no query or fragment");
        }
        return new RedisUrl("rediss".equals(scheme), host, port, user(uri), password(uri), database(uri.getRawPath()));
    }

    private static String user(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null || !info.contains(":")) {
            return null; // redis://password@host is not a form Redis tools use; user-only means no password
        }
        String user = decode(info.substring(0, info.indexOf(':')));
        return user.isEmpty() ? null : user;
    }

    private static String password(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null) {
            return null;
        }
        int colon = info.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("REDIS_URL's credentials must be user:password (or :password)");
        }
        String password = decode(info.substring(colon + 1));
        return password.isEmpty() ? null : password;
    }

    private static int database(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        try {
            int db = Integer.parseInt(path.substring(1));
            if (db < 0) {
                throw new NumberFormatException();
            }
            return db;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("REDIS_URL's path must be a database number such as /0");
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** host:port, for messages. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        String credentials = password == null ? "" : (user == null ? "" : user) + ":***@";
        return (tls ? "rediss://" : "redis://") + credentials + address() + "/" + database;
    }
}
