package staffsync.support;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One server process shared by every test in a class:
 * {@code @RegisterExtension static final SharedServer server = new SharedServer(Map.of(...));}
 * It starts before the first test and is stopped after the last.
 */
public final class SharedServer implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> env;
    private ServerProcess process;

    public SharedServer() {
        this(Map.of());
    }

    public SharedServer(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        process = ServerProcess.start(env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        process.close();
    }

    public ServerProcess process() {
        return process;
    }

    public URI wsUri() {
        return process.wsUri();
    }

    public URI wsUri(String path) {
        return process.wsUri(path);
    }

    public int wsPort() {
        return process.wsPort();
    }

    public URI httpUri(String path) {
        return process.httpUri(path);
    }
}
