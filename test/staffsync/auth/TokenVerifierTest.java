package staffsync.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import staffsync.auth.TokenRejected.Reason;
import staffsync.metrics.Metrics;
import staffsync.support.JwksServer;
import staffsync.support.Tokens;
import staffsync.support.Tokens.Signer;

/**
 * Token checks in-process: tokens signed here with JDK keys, the JWKS served from a JDK
 * HttpServer on loopback, time from a clock the test moves.
 */
class TokenVerifierTest {
    private static final Signer EC = Tokens.es256("ec-1");
    private static final Signer RSA = Tokens.rs256("rsa-1");
    private static final Signer HMAC = Tokens.hs256(Tokens.SECRET);
    private static final String ISSUER = "https://project.supabase.co/auth/v1";

    private final AtomicLong nowMillis = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ClaimRules rules = new ClaimRules("authenticated", null, ClaimRules.claimPath("app_metadata.staff_sync_role"));
    private JwksServer jwksServer;

    @AfterEach
    void stopJwks() {
        if (jwksServer != null) {
            jwksServer.close();
        }
    }

    private JwksCache jwks(String document) throws Exception {
        jwksServer = new JwksServer(document);
        JwksCache cache = new JwksCache(jwksServer.jwksUrl(), HttpClient.newHttpClient(), Duration.ofSeconds(5),
                nanos::get, ok -> {});
        cache.fetch().get(10, TimeUnit.SECONDS);
        return cache;
    }

    private TokenVerifier secretOnly(ClaimRules claimRules) {
        return new TokenVerifier(VerificationKey.sharedSecret(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)), null,
                claimRules, nowMillis::get, new Metrics(), 100);
    }

    private TokenVerifier jwksOnly(JwksCache cache) {
        return new TokenVerifier(null, cache, rules, nowMillis::get, new Metrics(), 100);
    }

    private static VerifiedToken accepted(CompletableFuture<VerifiedToken> result) throws Exception {
        return result.get(10, TimeUnit.SECONDS);
    }

    private static TokenRejected refused(CompletableFuture<VerifiedToken> result) throws Exception {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
        return TokenVerifier.rejection(failure);
    }

    private static JsonObject user(String subject) {
        return Tokens.claims(subject, false);
    }

    // ---- the three algorithms ----

    @Test
    void anHs256TokenSignedWithTheSharedSecretIsAccepted() throws Exception {
        VerifiedToken token = accepted(secretOnly(rules).verify(HMAC.sign(user("u-1"))));
        assertEquals("u-1", token.subject());
        assertEquals(Role.READER, token.role());
    }

    @Test
    void anEs256TokenSignedByAKeyInTheJwksIsAccepted() throws Exception {
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC, RSA)));
        CompletableFuture<VerifiedToken> result = verifier.verify(EC.sign(user("u-2")));
        assertTrue(result.isDone(), "a held key checks at once, without waiting for anything");
        assertEquals("u-2", accepted(result).subject());
    }

    @Test
    void anRs256TokenSignedByAKeyInTheJwksIsAccepted() throws Exception {
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC, RSA)));
        assertEquals("u-3", accepted(verifier.verify(RSA.sign(user("u-3")))).subject());
    }

    @Test
    void bothTheSharedSecretAndTheJwksWorkAtOnceDuringAKeyRotation() throws Exception {
        TokenVerifier verifier = new TokenVerifier(VerificationKey.sharedSecret(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)),
                jwks(Tokens.jwks(EC)), rules, nowMillis::get, new Metrics(), 100);
        assertEquals("old", accepted(verifier.verify(HMAC.sign(user("old")))).subject());
        assertEquals("new", accepted(verifier.verify(EC.sign(user("new")))).subject());
    }

    @Test
    void theExpiryIsTheTokensExp() throws Exception {
        JsonObject claims = user("u-4");
        claims.addProperty("exp", 2_000_000_000L);
        assertEquals(Instant.ofEpochSecond(2_000_000_000L), accepted(secretOnly(rules).verify(HMAC.sign(claims))).expiresAt());
    }

    // ---- refusals: algorithm and key ----

    @Test
    void anUnsignedTokenWithAlgNoneIsRefused() throws Exception {
        String token = Tokens.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Tokens.encode(user("u").toString()) + ".";
        TokenRejected rejected = refused(secretOnly(rules).verify(token));
        assertEquals(Reason.ALGORITHM, rejected.reason());
        assertTrue(rejected.getMessage().contains("none"), rejected.getMessage());
    }

    @Test
    void anHs256TokenIsRefusedWhenOnlyJwksKeysAreConfigured() throws Exception {
        // The key-confusion attack: the attacker HMACs with the public key, which anyone can read.
        Signer confused = Tokens.hs256(EC.jwk().toString());
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC)));
        JsonObject header = Tokens.header("HS256", EC.kid());
        TokenRejected rejected = refused(verifier.verify(confused.signWithHeader(header, user("attacker"))));
        assertEquals(Reason.ALGORITHM, rejected.reason());
        assertTrue(rejected.getMessage().contains("HS256"), rejected.getMessage());
    }

    @Test
    void aTokenWhoseAlgIsNotItsKeysIsRefused() throws Exception {
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC, RSA)));
        // An RS256 signature, but the header names the EC key.
        String token = RSA.signWithHeader(Tokens.header("RS256", EC.kid()), user("u"));
        assertEquals(Reason.ALGORITHM, refused(verifier.verify(token)).reason());
    }

    @Test
    void anAlgorithmOtherThanTheThreeIsRefused() throws Exception {
        String token = HMAC.signWithHeader(Tokens.header("HS512", null), user("u"));
        assertEquals(Reason.ALGORITHM, refused(secretOnly(rules).verify(token)).reason());
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() throws Exception {
        String token = Tokens.hs256("another-secret-that-is-also-long-enough-42").sign(user("u"));
        assertEquals(Reason.SIGNATURE, refused(secretOnly(rules).verify(token)).reason());
    }

    @Test
    void aTokenWhoseClaimsWereChangedAfterSigningIsRefused() throws Exception {
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC)));
        String[] parts = EC.sign(user("reader")).split("\\.");
        JsonObject promoted = Tokens.claims("reader", true);
        String forged = parts[0] + "." + Tokens.encode(promoted.toString()) + "." + parts[2];
        assertEquals(Reason.SIGNATURE, refused(verifier.verify(forged)).reason());
    }

    @Test
    void aTokenOver8KiBIsRefusedBeforeAnyDecoding() throws Exception {
        JsonObject claims = user("u");
        claims.addProperty("padding", "x".repeat(8 * 1024));
        TokenRejected rejected = refused(secretOnly(rules).verify(HMAC.sign(claims)));
        assertEquals(Reason.TOO_LARGE, rejected.reason());
    }

    @Test
    void somethingThatIsNotAJwtIsRefused() throws Exception {
        assertEquals(Reason.MALFORMED, refused(secretOnly(rules).verify("not-a-token")).reason());
        assertEquals(Reason.MALFORMED, refused(secretOnly(rules).verify("a.b.c.d")).reason());
        assertEquals(Reason.MALFORMED, refused(secretOnly(rules).verify("%%%.e30.")).reason());
    }

    @Test
    void aHeaderWithADuplicateMemberIsRefused() throws Exception {
        String header = Tokens.encode("{\"alg\":\"HS256\",\"alg\":\"none\"}");
        String token = header + "." + Tokens.encode(user("u").toString()) + ".AAAA";
        assertEquals(Reason.MALFORMED, refused(secretOnly(rules).verify(token)).reason());
    }

    @Test
    void aHeaderWithCriticalExtensionsIsRefused() throws Exception {
        JsonObject header = Tokens.header("HS256", null);
        JsonArray crit = new JsonArray();
        crit.add("b64");
        header.add("crit", crit);
        header.addProperty("b64", false);
        assertEquals(Reason.ALGORITHM, refused(secretOnly(rules).verify(HMAC.signWithHeader(header, user("u")))).reason());
    }

    // ---- refusals: claims ----

    @Test
    void aTokenWithoutExpIsRefused() throws Exception {
        JsonObject claims = user("u");
        claims.remove("exp");
        TokenRejected rejected = refused(secretOnly(rules).verify(HMAC.sign(claims)));
        assertEquals(Reason.CLAIMS, rejected.reason());
        assertTrue(rejected.getMessage().contains("exp"), rejected.getMessage());
    }

    @Test
    void anExpiredTokenIsRefusedWithoutLeeway() throws Exception {
        JsonObject claims = user("u");
        long now = nowMillis.get() / 1000;
        claims.addProperty("exp", now);
        claims.addProperty("iat", now - 3600);
        TokenRejected rejected = refused(secretOnly(rules).verify(HMAC.sign(claims)));
        assertEquals(Reason.EXPIRED, rejected.reason());
        assertEquals("token expired", rejected.getMessage());
    }

    @Test
    void nbfAndIatMayBeUpTo60SecondsAheadOfTheServersClock() throws Exception {
        long now = nowMillis.get() / 1000;
        JsonObject slightlyAhead = user("u");
        slightlyAhead.addProperty("iat", now + 50);
        slightlyAhead.addProperty("nbf", now + 50);
        accepted(secretOnly(rules).verify(HMAC.sign(slightlyAhead)));
        for (String claim : new String[] {"nbf", "iat"}) {
            JsonObject future = user("u");
            future.addProperty(claim, now + 120);
            TokenRejected rejected = refused(secretOnly(rules).verify(HMAC.sign(future)));
            assertEquals(Reason.CLAIMS, rejected.reason());
            assertTrue(rejected.getMessage().contains(claim), rejected.getMessage());
        }
    }

    @Test
    void theAudienceMustIncludeJwtAudience() throws Exception {
        JsonObject anon = user("u");
        anon.addProperty("aud", "anon");
        assertEquals(Reason.CLAIMS, refused(secretOnly(rules).verify(HMAC.sign(anon))).reason());
        JsonObject none = user("u");
        none.remove("aud");
        assertEquals(Reason.CLAIMS, refused(secretOnly(rules).verify(HMAC.sign(none))).reason());
        JsonObject several = user("u");
        JsonArray audiences = new JsonArray();
        audiences.add("other");
        audiences.add("authenticated");
        several.add("aud", audiences);
        accepted(secretOnly(rules).verify(HMAC.sign(several)));
    }

    @Test
    void theIssuerMustBeTheProjectsAuthUrlWhenOneIsConfigured() throws Exception {
        ClaimRules withIssuer = new ClaimRules("authenticated", ISSUER, ClaimRules.claimPath("app_metadata.staff_sync_role"));
        JsonObject right = user("u");
        right.addProperty("iss", ISSUER);
        accepted(secretOnly(withIssuer).verify(HMAC.sign(right)));
        JsonObject wrong = user("u");
        wrong.addProperty("iss", "https://other.supabase.co/auth/v1");
        assertEquals(Reason.CLAIMS, refused(secretOnly(withIssuer).verify(HMAC.sign(wrong))).reason());
        assertEquals(Reason.CLAIMS, refused(secretOnly(withIssuer).verify(HMAC.sign(user("no-iss")))).reason());
    }

    @Test
    void aTokenWithoutSubIsRefused() throws Exception {
        JsonObject claims = user("u");
        claims.remove("sub");
        assertEquals(Reason.CLAIMS, refused(secretOnly(rules).verify(HMAC.sign(claims))).reason());
    }

    // ---- roles ----

    @Test
    void theEditorClaimMakesAnEditor() throws Exception {
        assertEquals(Role.EDITOR, accepted(secretOnly(rules).verify(HMAC.sign(Tokens.claims("e", true)))).role());
    }

    @Test
    void theServiceRoleIsAnEditor() throws Exception {
        JsonObject claims = user("script");
        claims.addProperty("role", "service_role");
        assertEquals(Role.EDITOR, accepted(secretOnly(rules).verify(HMAC.sign(claims))).role());
    }

    @Test
    void anyOtherValueOfTheEditorClaimIsAReader() throws Exception {
        JsonObject claims = user("u");
        claims.getAsJsonObject("app_metadata").addProperty("staff_sync_role", "admin");
        assertEquals(Role.READER, accepted(secretOnly(rules).verify(HMAC.sign(claims))).role());
        JsonObject notAnObject = user("u");
        notAnObject.addProperty("app_metadata", "editor");
        assertEquals(Role.READER, accepted(secretOnly(rules).verify(HMAC.sign(notAnObject))).role());
    }

    @Test
    void editorClaimMayNameAnotherClaim() throws Exception {
        ClaimRules custom = new ClaimRules("authenticated", null, ClaimRules.claimPath("staff_role"));
        JsonObject claims = user("u");
        claims.addProperty("staff_role", "editor");
        assertEquals(Role.EDITOR, accepted(secretOnly(custom).verify(HMAC.sign(claims))).role());
        assertEquals(Role.READER, accepted(secretOnly(custom).verify(HMAC.sign(Tokens.claims("u", true)))).role());
    }

    // ---- the JWKS ----

    @Test
    void aNewKidIsPickedUpByOneRefetch() throws Exception {
        JwksCache cache = jwks(Tokens.jwks(EC));
        TokenVerifier verifier = jwksOnly(cache);
        Signer rotated = Tokens.es256("ec-2");
        jwksServer.serve(Tokens.jwks(EC, rotated));
        int before = jwksServer.fetches();
        assertEquals("u", accepted(verifier.verify(rotated.sign(user("u")))).subject());
        assertEquals(before + 1, jwksServer.fetches());
        accepted(verifier.verify(rotated.sign(user("v"))));
        assertEquals(before + 1, jwksServer.fetches(), "a held kid needs no fetch");
    }

    @Test
    void unknownKidsMakeAtMostOneFetchPer30Seconds() throws Exception {
        JwksCache cache = jwks(Tokens.jwks(EC));
        TokenVerifier verifier = jwksOnly(cache);
        int before = jwksServer.fetches();
        assertEquals(Reason.UNKNOWN_KEY, refused(verifier.verify(Tokens.es256("made-up-0").sign(user("u")))).reason());
        for (int i = 1; i <= 50; i++) {
            assertEquals(Reason.UNKNOWN_KEY, refused(verifier.verify(Tokens.es256("made-up-" + i).sign(user("u")))).reason());
        }
        assertEquals(before + 1, jwksServer.fetches(), "one fetch for the whole flood");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(29));
        refused(verifier.verify(Tokens.es256("made-up-x").sign(user("u"))));
        assertEquals(before + 1, jwksServer.fetches(), "still within 30 s");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        refused(verifier.verify(Tokens.es256("made-up-y").sign(user("u"))));
        assertEquals(before + 2, jwksServer.fetches(), "30 s later, one more");
    }

    @Test
    void heldKeysStillVerifyWhenTheJwksCannotBeFetched() throws Exception {
        JwksCache cache = jwks(Tokens.jwks(EC));
        TokenVerifier verifier = jwksOnly(cache);
        jwksServer.fail(503);
        cache.fetch().get(10, TimeUnit.SECONDS);
        assertEquals("u", accepted(verifier.verify(EC.sign(user("u")))).subject());
        assertEquals(1, cache.status().keys());
        assertTrue(cache.status().lastError().contains("503"), cache.status().lastError());
        assertNull(verifier.notReadyReason(), "a held key still checks tokens");
        assertTrue(verifier.warning().contains("503"), verifier.warning());
    }

    @Test
    void withNoKeyAtAllTheVerifierSaysItIsNotReady() throws Exception {
        jwksServer = new JwksServer(Tokens.jwks(EC));
        jwksServer.fail(500);
        JwksCache cache = new JwksCache(jwksServer.jwksUrl(), HttpClient.newHttpClient(), Duration.ofSeconds(5),
                nanos::get, ok -> {});
        cache.fetch().get(10, TimeUnit.SECONDS);
        String reason = jwksOnly(cache).notReadyReason();
        assertTrue(reason != null && reason.contains("500"), reason);
    }

    @Test
    void symmetricAndMalformedKeysInTheJwksAreSkipped() {
        JsonObject oct = new JsonObject();
        oct.addProperty("kty", "oct");
        oct.addProperty("kid", "shared");
        oct.addProperty("k", Tokens.encode(Tokens.SECRET));
        JsonObject offCurve = EC.jwk();
        offCurve.addProperty("kid", "off-curve");
        offCurve.addProperty("y", offCurve.get("x").getAsString());
        JsonObject encryption = RSA.jwk();
        encryption.addProperty("use", "enc");
        JsonArray keys = new JsonArray();
        keys.add(oct);
        keys.add(offCurve);
        keys.add(encryption);
        keys.add(EC.jwk());
        JsonObject document = new JsonObject();
        document.add("keys", keys);
        JwkSet set = JwkSet.parse(document.toString());
        assertEquals(1, set.keys().size());
        assertEquals("ec-1", set.keys().get(0).kid());
        assertEquals(3, set.skipped().size(), set.skipped().toString());
    }

    @Test
    void aRefusalNeverQuotesTheToken() throws Exception {
        TokenVerifier verifier = jwksOnly(jwks(Tokens.jwks(EC)));
        JsonObject claims = user("u");
        claims.addProperty("exp", 1);
        String token = EC.sign(claims);
        for (String part : token.split("\\.")) {
            assertFalse(refused(verifier.verify(token)).getMessage().contains(part));
        }
    }

    // ---- tokens verified before ----

    @Test
    void aTokenVerifiedBeforeIsFoundAgainWithoutASecondSignatureCheck() throws Exception {
        Metrics metrics = new Metrics();
        TokenVerifier verifier = new TokenVerifier(null, jwks(Tokens.jwks(EC)), rules, nowMillis::get, metrics, 100);
        String token = EC.sign(user("again"));
        accepted(verifier.verify(token));
        CompletableFuture<VerifiedToken> second = verifier.verify(token);
        assertTrue(second.isDone());
        assertEquals("again", accepted(second).subject());
        String text = metrics.render(() -> 0, 0, 0);
        assertTrue(text.contains("staffsync_tokens_checked_total{outcome=\"accepted\"} 1")
                && text.contains("staffsync_tokens_checked_total{outcome=\"cached\"} 1"), text);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItsKeyLeavesTheJwks() throws Exception {
        JwksCache cache = jwks(Tokens.jwks(EC, RSA));
        TokenVerifier verifier = jwksOnly(cache);
        String token = EC.sign(user("revoked"));
        accepted(verifier.verify(token));
        jwksServer.serve(Tokens.jwks(RSA));
        cache.fetch().get(10, TimeUnit.SECONDS);
        assertEquals(Reason.UNKNOWN_KEY, refused(verifier.verify(token)).reason());
    }

    @Test
    void aRememberedTokenIsRefusedOnceItHasExpired() throws Exception {
        TokenVerifier verifier = secretOnly(rules);
        JsonObject claims = user("short");
        claims.addProperty("exp", nowMillis.get() / 1000 + 60);
        String token = HMAC.sign(claims);
        accepted(verifier.verify(token));
        nowMillis.addAndGet(61_000);
        assertEquals(Reason.EXPIRED, refused(verifier.verify(token)).reason());
    }
}
