package staffsync.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * BENCH_AUTH=jwt: staff-sync runs with AUTH_MODE=jwt and every connection of the load generator
 * presents its own access token in {@code ?access_token=}, as a Supabase project with asymmetric
 * keys would have it: ES256 (Supabase's default), or RS256 with BENCH_AUTH=rs256. The key pair is
 * made here; its public half is served as a JWKS from this process. Tokens are signed once,
 * before any run, so signing costs no run time.
 */
final class BenchAuth implements AutoCloseable {
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final boolean rsa;
    private final String kid;
    private final KeyPair keys;
    private final HttpServer jwks;
    private final List<String> tokens = new ArrayList<>(); // touched by the bench's main thread only

    /** @param rsa RS256 with a 2048-bit key instead of ES256 */
    BenchAuth(boolean rsa) throws IOException, GeneralSecurityException {
        this.rsa = rsa;
        this.kid = rsa ? "bench-rs256" : "bench-es256";
        KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
        if (rsa) {
            generator.initialize(2048);
        } else {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        keys = generator.generateKeyPair();
        byte[] document = jwksDocument().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        jwks.createContext("/auth/v1/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, document.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(document);
            }
        });
        jwks.start();
    }

    /** What staff-sync needs to check these tokens. */
    Map<String, String> serverEnvironment() {
        return Map.of("AUTH_MODE", "jwt",
                "JWKS_URL", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/auth/v1/.well-known/jwks.json");
    }

    /** One distinct editor token per connection (user bench-user-i), valid for two hours. */
    List<String> tokens(int count) throws GeneralSecurityException {
        long now = Instant.now().getEpochSecond();
        String header = URL.encodeToString(("{\"alg\":\"" + (rsa ? "RS256" : "ES256") + "\",\"typ\":\"JWT\",\"kid\":\""
                + kid + "\"}").getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
        while (tokens.size() < count) {
            String claims = "{\"sub\":\"bench-user-" + tokens.size() + "\",\"aud\":\"authenticated\",\"role\":\"authenticated\","
                    + "\"iat\":" + now + ",\"exp\":" + (now + 7200) + ",\"app_metadata\":{\"staff_sync_role\":\"editor\"}}";
            String input = header + "." + URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            tokens.add(input + "." + URL.encodeToString(signer.sign()));
        }
        return List.copyOf(tokens.subList(0, count));
    }

    private String jwksDocument() {
        if (rsa) {
            RSAPublicKey key = (RSAPublicKey) keys.getPublic();
            return "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"n\":\""
                    + unsigned(key.getModulus()) + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}]}";
        }
        ECPublicKey key = (ECPublicKey) keys.getPublic();
        return "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ES256\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"x\":\""
                + coordinate(key.getW().getAffineX()) + "\",\"y\":\"" + coordinate(key.getW().getAffineY()) + "\"}]}";
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return URL.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
    }

    private static String coordinate(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[32];
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
        return URL.encodeToString(Arrays.copyOf(fixed, 32));
    }

    @Override
    public void close() {
        jwks.stop(0);
    }
}
