package staffsync.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.RedisServer;

/** rediss://: the client's TLS path against redis-server's own TLS port, with a certificate made for the test. */
class RedisTlsTest {
    private Path dir;
    private RedisServer server;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("staffsync-tls");
        makeCertificate("", "IP:127.0.0.1");
        makeCertificate("other-", "DNS:redis.example.com");
        server = RedisServer.startWithTls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    }

    /** A self-signed certificate and key, {@code prefix}cert.pem and {@code prefix}key.pem, naming {@code subjectAltName}. */
    private void makeCertificate(String prefix, String subjectAltName) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve(prefix + "key.pem").toString(), "-out", dir.resolve(prefix + "cert.pem").toString(),
                "-days", "1", "-subj", "/CN=staff-sync test", "-addext", "subjectAltName=" + subjectAltName)
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertEquals(0, openssl.waitFor(), "openssl failed: " + output);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        for (String name : List.of("key.pem", "cert.pem", "other-key.pem", "other-cert.pem")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Files.deleteIfExists(dir);
    }

    /** A factory that trusts the test's certificates only, as a truststore given to the JVM would. */
    private SSLSocketFactory trustingTheTestCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        for (String prefix : List.of("", "other-")) {
            try (InputStream in = Files.newInputStream(dir.resolve(prefix + "cert.pem"))) {
                trust.setCertificateEntry(prefix + "redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
        }
        TrustManagerFactory managers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        managers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, managers.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    @Test
    void rediss_talksTlsToRedis() throws Exception {
        try (Redis redis = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(5), trustingTheTestCertificate())) {
            redis.call("SET", "secret", "kept");
            assertEquals("kept", redis.call("GET", "secret"));
        }
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() throws Exception {
        try (Redis redis = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(5), trustingTheTestCertificate())) {
            redis.call("CONFIG", "SET", "tls-cert-file", dir.resolve("other-cert.pem").toString(),
                    "tls-key-file", dir.resolve("other-key.pem").toString());
        }
        try (Redis redis = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(5), trustingTheTestCertificate())) {
            IOException e = assertThrows(IOException.class, () -> redis.call("PING"));
            assertInstanceOf(SSLException.class, e.getCause(), e.toString());
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (Redis redis = new Redis(RedisUrl.parse(server.url()), Duration.ofSeconds(5),
                (SSLSocketFactory) SSLSocketFactory.getDefault())) {
            IOException e = assertThrows(IOException.class, () -> redis.call("PING"));
            assertInstanceOf(SSLException.class, e.getCause(), e.toString());
        }
    }
}
