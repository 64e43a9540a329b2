package staffsync.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens already verified, by the SHA-256 of their text, until their {@code exp}. The same token
 * presented again (the handshake's token when the connection opens; every tab of a browser
 * reconnecting after a network blip) then costs a hash instead of a signature check, which for
 * ES256 on JDK 17 is about a millisecond of CPU. Holds digests, never tokens.
 *
 * <p>Bounded by {@code capacity}: when full, expired entries go; if none has expired, new tokens
 * are simply not remembered. Each entry names the key set it was verified with (its
 * generation): once the JWKS changes, older entries no longer count, so a key removed from the
 * JWKS stops vouching for its tokens at once. Thread-safe: one concurrent map.
 */
final class VerifiedTokenCache {
    private record Entry(VerifiedToken token, long keyGeneration) {}

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    VerifiedTokenCache(int capacity) {
        this.capacity = capacity;
    }

    /** The key a token is remembered by. */
    static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The token's holder if it was verified with this key set and has not expired; else null. */
    VerifiedToken get(String digest, long keyGeneration, long nowMillis) {
        Entry known = entries.get(digest);
        if (known == null) {
            return null;
        }
        if (known.keyGeneration() != keyGeneration || known.token().expiresAt().toEpochMilli() <= nowMillis) {
            entries.remove(digest, known);
            return null;
        }
        return known.token();
    }

    void put(String digest, VerifiedToken verified, long keyGeneration, long nowMillis) {
        if (capacity <= 0) {
            return;
        }
        if (entries.size() >= capacity) {
            entries.values().removeIf(entry -> entry.keyGeneration() != keyGeneration
                    || entry.token().expiresAt().toEpochMilli() <= nowMillis);
        }
        if (entries.size() < capacity) {
            entries.put(digest, new Entry(verified, keyGeneration));
        }
    }

    int size() {
        return entries.size();
    }
}
