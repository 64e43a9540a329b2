package staffsync.support;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs access tokens in tests the way Supabase Auth does, with keys the JDK makes on the spot:
 * HS256 with a shared secret, ES256 (P-256) and RS256 with key pairs whose public halves go into
 * a JWKS ({@link #jwks}). No network, no JWT library.
 */
public final class Tokens {
    public static final String SECRET = "test-jwt-secret-that-is-long-enough-0123456789";

    private Tokens() {}

    /** One signing key: the private half signs, {@link #jwk} is the public half as a JWK. */
    public static final class Signer {
        private final String alg;
        private final String kid;
        private final PrivateKey privateKey;
        private final byte[] secret;
        private final JsonObject jwk;

        private Signer(String alg, String kid, PrivateKey privateKey, byte[] secret, JsonObject jwk) {
            this.alg = alg;
            this.kid = kid;
            this.privateKey = privateKey;
            this.secret = secret;
            this.jwk = jwk;
        }

        public String alg() {
            return alg;
        }

        public String kid() {
            return kid;
        }

        public JsonObject jwk() {
            return jwk.deepCopy();
        }

        /** A token with these claims and the standard header ({@code alg}, {@code typ}, {@code kid}). */
        public String sign(JsonObject claims) {
            return signWithHeader(header(alg, kid), claims);
        }

        /** A token with a header of the test's choosing, signed with this key as this key's algorithm. */
        public String signWithHeader(JsonObject header, JsonObject claims) {
            String input = encode(header.toString()) + "." + encode(claims.toString());
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature(input));
        }

        private byte[] signature(String input) {
            byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
            try {
                switch (alg) {
                    case "HS256" -> {
                        Mac mac = Mac.getInstance("HmacSHA256");
                        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                        return mac.doFinal(bytes);
                    }
                    case "ES256" -> {
                        return sign("SHA256withECDSAinP1363Format", bytes);
                    }
                    case "RS256" -> {
                        return sign("SHA256withRSA", bytes);
                    }
                    default -> throw new IllegalStateException(alg);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private byte[] sign(String algorithm, byte[] input) throws GeneralSecurityException {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(input);
            return signer.sign();
        }
    }

    public static Signer hs256(String secret) {
        return new Signer("HS256", null, null, secret.getBytes(StandardCharsets.UTF_8), new JsonObject());
    }

    public static Signer es256(String kid) {
        KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"), 0);
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        JsonObject jwk = new JsonObject();
        jwk.addProperty("kty", "EC");
        jwk.addProperty("crv", "P-256");
        jwk.addProperty("alg", "ES256");
        jwk.addProperty("use", "sig");
        jwk.addProperty("kid", kid);
        jwk.addProperty("x", unsigned(key.getW().getAffineX(), 32));
        jwk.addProperty("y", unsigned(key.getW().getAffineY(), 32));
        return new Signer("ES256", kid, pair.getPrivate(), null, jwk);
    }

    public static Signer rs256(String kid) {
        KeyPair pair = generate("RSA", null, 2048);
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        JsonObject jwk = new JsonObject();
        jwk.addProperty("kty", "RSA");
        jwk.addProperty("alg", "RS256");
        jwk.addProperty("use", "sig");
        jwk.addProperty("kid", kid);
        jwk.addProperty("n", unsigned(key.getModulus(), 0));
        jwk.addProperty("e", unsigned(key.getPublicExponent(), 0));
        return new Signer("RS256", kid, pair.getPrivate(), null, jwk);
    }

    /** A JWKS document holding these keys' public halves. */
    public static String jwks(Signer... signers) {
        JsonArray keys = new JsonArray();
        for (Signer signer : signers) {
            keys.add(signer.jwk());
        }
        JsonObject document = new JsonObject();
        document.add("keys", keys);
        return document.toString();
    }

    /**
     * The claims of a signed-in user's access token as Supabase issues them: {@code sub},
     * {@code aud} "authenticated", {@code role} "authenticated", {@code iat} now, {@code exp} in
     * an hour. With {@code editor}, {@code app_metadata.staff_sync_role} is "editor".
     */
    public static JsonObject claims(String subject, boolean editor) {
        long now = Instant.now().getEpochSecond();
        JsonObject claims = new JsonObject();
        claims.addProperty("sub", subject);
        claims.addProperty("aud", "authenticated");
        claims.addProperty("role", "authenticated");
        claims.addProperty("iat", now);
        claims.addProperty("exp", now + 3600);
        claims.addProperty("email", subject + "@example.com");
        JsonObject appMetadata = new JsonObject();
        appMetadata.addProperty("provider", "email");
        if (editor) {
            appMetadata.addProperty("staff_sync_role", "editor");
        }
        claims.add("app_metadata", appMetadata);
        return claims;
    }

    public static JsonObject header(String alg, String kid) {
        JsonObject header = new JsonObject();
        header.addProperty("alg", alg);
        header.addProperty("typ", "JWT");
        if (kid != null) {
            header.addProperty("kid", kid);
        }
        return header;
    }

    /** Base64url without padding, as JWS uses it. */
    public static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec curve, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (curve != null) {
                generator.initialize(curve);
            } else {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
