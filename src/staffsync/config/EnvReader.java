package staffsync.config;

import java.util.Locale;
import java.util.Map;

/** Reads typed values from environment variables; every complaint names the variable. */
final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    String text(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    int port(String name, int fallback) throws ConfigException {
        return (int) integer(name, fallback, 0, 65_535);
    }

    long integer(String name, long fallback, long min, long max) throws ConfigException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    double decimal(String name, double fallback, double min) throws ConfigException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a number, got '" + value + "'");
        }
        if (!(parsed >= min) || Double.isInfinite(parsed)) {
            throw new ConfigException(name + " must be a number of at least " + min + ", got " + value);
        }
        return parsed;
    }

    boolean bool(String name, boolean fallback) throws ConfigException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name + " must be true or false, got '" + value + "'");
        };
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) throws ConfigException {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E option : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(option.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigException(name + " must be one of " + allowed + ", got '" + value + "'");
        }
    }
}
