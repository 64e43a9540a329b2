package staffsync.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * SUPABASE_URL as the server needs it: the project URL ({@code https://abcd.supabase.co}),
 * to which the server adds {@code /rest/v1/<table>} itself. A URL copied from the dashboard's
 * API section, ending in {@code /rest/v1}, is accepted and that suffix dropped; a URL without a
 * scheme or host stops startup with one line, rather than a server that retries forever.
 *
 * @param url     the project URL, without a trailing slash
 * @param dropped what was dropped from the value as given ({@code "/rest/v1"}), or null
 */
record SupabaseUrl(String url, String dropped) {
    private static final String REST_SUFFIX = "/rest/v1";

    static SupabaseUrl parse(String value) throws ConfigException {
        String example = " (the project URL, like https://abcd.supabase.co)";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException("SUPABASE_URL is not a URL" + example + ", got '" + value + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new ConfigException("SUPABASE_URL must start with https://" + example + ", got '" + value + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ConfigException("SUPABASE_URL has no host" + example + ", got '" + value + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigException("SUPABASE_URL must be the bare project URL" + example
                    + ", without a query, fragment or user name; got '" + value + "'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String dropped = null;
        if (path.endsWith(REST_SUFFIX)) {
            path = path.substring(0, path.length() - REST_SUFFIX.length());
            dropped = REST_SUFFIX;
        }
        return new SupabaseUrl(scheme + "://" + uri.getRawAuthority() + path, dropped);
    }
}
