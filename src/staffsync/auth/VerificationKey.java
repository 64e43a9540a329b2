package staffsync.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key that may sign tokens, bound to exactly one algorithm: a token is checked only with a
 * key whose algorithm equals the token's {@code alg}, so a public key can never be used as an
 * HMAC secret (the classic key-confusion attack). Immutable; {@link #verifies} is thread-safe
 * (it makes its own {@link Mac} or {@link Signature} each time).
 *
 * @param kid the JWK's key id, or null (the shared secret, or a JWK without one)
 * @param alg {@code HS256}, {@code ES256} or {@code RS256}
 */
record VerificationKey(String kid, String alg, java.security.Key key) {
    static final String HS256 = "HS256";
    static final String ES256 = "ES256";
    static final String RS256 = "RS256";

    static VerificationKey sharedSecret(byte[] secret) {
        return new VerificationKey(null, HS256, new SecretKeySpec(secret, "HmacSHA256"));
    }

    static VerificationKey publicKey(String kid, String alg, PublicKey key) {
        return new VerificationKey(kid, alg, key);
    }

    boolean verifies(byte[] signingInput, byte[] signature) {
        try {
            return switch (alg) {
                case HS256 -> {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(key);
                    // Constant time: how many leading bytes matched must not show in the timing.
                    yield MessageDigest.isEqual(mac.doFinal(signingInput), signature);
                }
                // JWS carries ES256 as the 64-byte r||s pair, which is the JDK's P1363 format.
                case ES256 -> signature.length == 64 && check("SHA256withECDSAinP1363Format", signingInput, signature);
                case RS256 -> check("SHA256withRSA", signingInput, signature);
                default -> false;
            };
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a signature the provider cannot even read is not a valid one
        }
    }

    private boolean check(String algorithm, byte[] signingInput, byte[] signature) throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify((PublicKey) key);
        verifier.update(signingInput);
        return verifier.verify(signature);
    }

    /** Never the key material: this may end up in a log line. */
    @Override
    public String toString() {
        return "VerificationKey[kid=" + kid + ", alg=" + alg + "]";
    }
}
