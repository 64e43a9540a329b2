package staffsync.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The keys of a JWKS document (RFC 7517) that can verify Supabase access tokens: EC P-256 keys
 * for ES256 and RSA keys (2048 bits or more) for RS256. Other keys are skipped and named in
 * {@link #skipped}: symmetric ({@code oct}) keys in particular are never used, since a JWKS is
 * public. Immutable.
 */
record JwkSet(List<VerificationKey> keys, List<String> skipped) {
    static final int MIN_RSA_BITS = 2048;

    JwkSet {
        keys = List.copyOf(keys);
        skipped = List.copyOf(skipped);
    }

    /** @throws IllegalArgumentException when the text is not a JWKS document at all */
    static JwkSet parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the JWKS is not valid JSON");
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().has("keys")
                || !root.getAsJsonObject().get("keys").isJsonArray()) {
            throw new IllegalArgumentException("the JWKS has no \"keys\" array");
        }
        List<VerificationKey> keys = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JsonElement element : root.getAsJsonObject().getAsJsonArray("keys")) {
            if (!element.isJsonObject()) {
                skipped.add("an entry that is not an object");
                continue;
            }
            JsonObject jwk = element.getAsJsonObject();
            String kid = Jwt.stringMember(jwk, "kid");
            try {
                keys.add(toKey(jwk, kid));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                skipped.add("kid " + kid + ": " + e.getMessage());
            }
        }
        return new JwkSet(keys, skipped);
    }

    private static VerificationKey toKey(JsonObject jwk, String kid) throws GeneralSecurityException {
        String kty = Jwt.stringMember(jwk, "kty");
        String use = Jwt.stringMember(jwk, "use");
        if (use != null && !use.equals("sig")) {
            throw new IllegalArgumentException("use is " + use + ", not sig");
        }
        String alg = Jwt.stringMember(jwk, "alg");
        if (kty == null) {
            throw new IllegalArgumentException("no kty");
        }
        return switch (kty) {
            case "EC" -> {
                requireAlg(alg, VerificationKey.ES256);
                yield VerificationKey.publicKey(kid, VerificationKey.ES256, p256Key(jwk));
            }
            case "RSA" -> {
                requireAlg(alg, VerificationKey.RS256);
                yield VerificationKey.publicKey(kid, VerificationKey.RS256, rsaKey(jwk));
            }
            default -> throw new IllegalArgumentException("key type " + kty + " is not used (EC P-256 and RSA are)");
        };
    }

    private static void requireAlg(String declared, String expected) {
        if (declared != null && !declared.equals(expected)) {
            throw new IllegalArgumentException("alg " + declared + " is not supported for this key type (" + expected + " is)");
        }
    }

    private static PublicKey p256Key(JsonObject jwk) throws GeneralSecurityException {
        if (!"P-256".equals(Jwt.stringMember(jwk, "crv"))) {
            throw new IllegalArgumentException("curve is not P-256");
        }
        byte[] x = coordinate(jwk, "x");
        byte[] y = coordinate(jwk, "y");
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
        ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        requireOnCurve(point, curve.getCurve());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve));
    }

    /** A point off the curve would let a forged key leak information: y^2 = x^3 + ax + b (mod p). */
    private static void requireOnCurve(ECPoint point, EllipticCurve curve) {
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            throw new IllegalArgumentException("point coordinates out of range");
        }
        BigInteger left = y.modPow(BigInteger.TWO, p);
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        if (!left.equals(right)) {
            throw new IllegalArgumentException("point is not on the P-256 curve");
        }
    }

    private static byte[] coordinate(JsonObject jwk, String name) {
        byte[] bytes = member(jwk, name);
        if (bytes.length != 32) {
            throw new IllegalArgumentException(name + " is not 32 bytes");
        }
        return bytes;
    }

    private static PublicKey rsaKey(JsonObject jwk) throws GeneralSecurityException {
        BigInteger modulus = new BigInteger(1, member(jwk, "n"));
        BigInteger exponent = new BigInteger(1, member(jwk, "e"));
        if (modulus.bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("RSA modulus has " + modulus.bitLength() + " bits, fewer than " + MIN_RSA_BITS);
        }
        if (!exponent.testBit(0) || exponent.compareTo(BigInteger.ONE) <= 0) {
            throw new IllegalArgumentException("RSA exponent is not valid");
        }
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    }

    private static byte[] member(JsonObject jwk, String name) {
        String value = Jwt.stringMember(jwk, name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no " + name);
        }
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not base64url");
        }
    }
}
