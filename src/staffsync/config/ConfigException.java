package staffsync.config;

/** A bad configuration value: startup stops with this one line and exit code 2. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
