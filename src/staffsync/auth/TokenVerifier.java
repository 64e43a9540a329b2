package staffsync.auth;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import staffsync.auth.TokenRejected.Reason;
import staffsync.config.AccessConfig;
import staffsync.metrics.Metrics;

/**
 * Checks Supabase Auth access tokens with the JDK alone: HS256 with the project's shared secret,
 * ES256 and RS256 with keys from its JWKS; then the claims ({@link ClaimRules}).
 *
 * <p>{@link #verify} never blocks: a token whose key is held is checked at once on the caller's
 * thread (a few hundred microseconds of CPU) and the returned future is already complete; only a
 * token naming a key id not held waits for a JWKS fetch, on the HTTP client's thread.
 * Thread-safe: it holds immutable rules and the thread-safe {@link JwksCache}.
 */
public final class TokenVerifier {
    private final VerificationKey sharedSecret;
    private final JwksCache jwks;
    private final ClaimRules rules;
    private final LongSupplier clockMillis;
    private final Metrics metrics;
    private final VerifiedTokenCache verified;

    /**
     * @param sharedSecret the HS256 secret's key, or null: HS256 tokens are then refused
     * @param jwks         the JWKS's keys, or null: ES256 and RS256 tokens are then refused
     */
    TokenVerifier(VerificationKey sharedSecret, JwksCache jwks, ClaimRules rules, LongSupplier clockMillis,
                  Metrics metrics, int cacheSize) {
        if (sharedSecret == null && jwks == null) {
            throw new IllegalArgumentException("a token verifier needs a shared secret, a JWKS, or both");
        }
        this.sharedSecret = sharedSecret;
        this.jwks = jwks;
        this.rules = rules;
        this.clockMillis = clockMillis;
        this.metrics = metrics;
        this.verified = new VerifiedTokenCache(cacheSize);
    }

    /** The verifier the configuration asks for: the shared secret and/or the JWKS. */
    public static TokenVerifier create(AccessConfig access, Metrics metrics) {
        VerificationKey secret = access.jwtSecret().isEmpty() ? null
                : VerificationKey.sharedSecret(access.jwtSecret().getBytes(StandardCharsets.UTF_8));
        JwksCache jwks = null;
        if (access.jwksUrl() != null) {
            Duration timeout = Duration.ofMillis(access.jwksTimeoutMs());
            HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
            jwks = new JwksCache(access.jwksUrl(), http, timeout, System::nanoTime, metrics::jwksFetched);
        }
        ClaimRules rules = new ClaimRules(access.jwtAudience(), access.jwtIssuer(), ClaimRules.claimPath(access.editorClaim()));
        return new TokenVerifier(secret, jwks, rules, System::currentTimeMillis, metrics, access.tokenCacheSize());
    }

    /** Fetches the JWKS (when there is one) and keeps it fresh; returns the first fetch. */
    public CompletableFuture<Void> start() {
        return jwks == null ? CompletableFuture.completedFuture(null) : jwks.start();
    }

    /** The JWKS's state for /health, or null when only the shared secret is configured. */
    public JwksStatus jwksStatus() {
        return jwks == null ? null : jwks.status();
    }

    /** Why no token can be checked now (no key at all), or null. For /ready. */
    public String notReadyReason() {
        if (sharedSecret != null || jwks == null || !jwks.keys().isEmpty()) {
            return null;
        }
        JwksStatus status = jwks.status();
        return "no key to check tokens with: the JWKS has " + (status.fetchedAt() == null ? "not been fetched" : "no usable key")
                + (status.lastError() != null ? " (" + status.lastError() + ")" : "");
    }

    /** Why some tokens may fail although the server works (stale keys), or null. For /ready. */
    public String warning() {
        if (jwks == null || jwks.keys().isEmpty() || jwks.status().lastError() == null) {
            return null;
        }
        JwksStatus status = jwks.status();
        return "the JWKS could not be refreshed (" + status.lastError() + "); using the " + status.keys()
                + " key(s) fetched at " + status.fetchedAt();
    }

    /** The token's holder, or a future failed with {@link TokenRejected}. */
    public CompletableFuture<VerifiedToken> verify(String token) {
        if (token.length() > Jwt.MAX_TOKEN_CHARS) {
            // Before hashing it for the cache: a huge token costs nothing.
            return recorded(CompletableFuture.failedFuture(new TokenRejected(Reason.TOO_LARGE, "token is larger than 8 KiB")));
        }
        String digest = VerifiedTokenCache.digest(token);
        long generation = jwks == null ? 0 : jwks.generation();
        VerifiedToken known = verified.get(digest, generation, clockMillis.getAsLong());
        if (known != null) {
            metrics.tokenChecked("cached");
            return CompletableFuture.completedFuture(known);
        }
        return recorded(checkSignatureAndClaims(token)).whenComplete((holder, error) -> {
            if (holder != null) {
                verified.put(digest, holder, generation, clockMillis.getAsLong());
            }
        });
    }

    private CompletableFuture<VerifiedToken> recorded(CompletableFuture<VerifiedToken> result) {
        return result.whenComplete((holder, error) ->
                metrics.tokenChecked(error == null ? "accepted" : rejection(error).reason().label()));
    }

    private CompletableFuture<VerifiedToken> checkSignatureAndClaims(String token) {
        CompletableFuture<VerifiedToken> result;
        try {
            Jwt jwt = Jwt.parse(token);
            List<VerificationKey> candidates = candidates(jwt);
            if (!candidates.isEmpty()) {
                result = CompletableFuture.completedFuture(verifyWith(jwt, candidates));
            } else {
                result = afterRefetch(jwt);
            }
        } catch (TokenRejected e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result;
    }

    /** The {@link TokenRejected} behind a failed {@link #verify} future (unwrapping the future's wrapper). */
    public static TokenRejected rejection(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TokenRejected rejected) {
                return rejected;
            }
        }
        return new TokenRejected(Reason.ERROR, "token could not be checked");
    }

    /** The keys that may have signed this token; empty when its key id is not held (yet). */
    private List<VerificationKey> candidates(Jwt jwt) throws TokenRejected {
        switch (jwt.alg()) {
            case VerificationKey.HS256 -> {
                if (sharedSecret == null) {
                    throw new TokenRejected(Reason.ALGORITHM,
                            "HS256 tokens are not accepted: no SUPABASE_JWT_SECRET is configured, only the JWKS's keys");
                }
                return List.of(sharedSecret);
            }
            case VerificationKey.ES256, VerificationKey.RS256 -> {
                if (jwks == null) {
                    throw new TokenRejected(Reason.ALGORITHM,
                            jwt.alg() + " tokens are not accepted: no JWKS is configured, only SUPABASE_JWT_SECRET");
                }
                List<VerificationKey> matching = new ArrayList<>();
                for (VerificationKey key : jwks.keys()) {
                    if (jwt.kid() == null ? key.alg().equals(jwt.alg()) : jwt.kid().equals(key.kid())) {
                        if (!key.alg().equals(jwt.alg())) {
                            throw new TokenRejected(Reason.ALGORITHM,
                                    "token alg " + jwt.alg() + " does not match its key's (" + key.alg() + ")");
                        }
                        matching.add(key);
                    }
                }
                return matching;
            }
            case "none" -> throw new TokenRejected(Reason.ALGORITHM, "unsigned tokens (alg none) are never accepted");
            default -> throw new TokenRejected(Reason.ALGORITHM, "token alg is not one of HS256, ES256, RS256");
        }
    }

    private CompletableFuture<VerifiedToken> afterRefetch(Jwt jwt) throws TokenRejected {
        CompletableFuture<Void> fetch = jwks.refetchForUnknownKey();
        if (fetch == null) {
            throw unknownKey();
        }
        return fetch.thenApply(ignored -> {
            try {
                List<VerificationKey> candidates = candidates(jwt);
                if (candidates.isEmpty()) {
                    throw unknownKey();
                }
                return verifyWith(jwt, candidates);
            } catch (TokenRejected e) {
                throw new CompletionException(e);
            }
        });
    }

    private static TokenRejected unknownKey() {
        return new TokenRejected(Reason.UNKNOWN_KEY, "token is signed by a key that is not in the project's JWKS");
    }

    private VerifiedToken verifyWith(Jwt jwt, List<VerificationKey> candidates) throws TokenRejected {
        for (VerificationKey key : candidates) {
            if (key.verifies(jwt.signingInput(), jwt.signature())) {
                return rules.check(jwt.claims(), clockMillis.getAsLong());
            }
        }
        throw new TokenRejected(Reason.SIGNATURE, "token signature does not verify");
    }
}
