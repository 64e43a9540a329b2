package staffsync.auth;

import java.time.Instant;

/**
 * What a valid access token says about its holder. Holds no part of the token itself, so it
 * can be kept, compared and printed without leaking the token.
 *
 * @param subject   the token's {@code sub}: the Supabase user id
 * @param expiresAt the token's {@code exp}: the connection holding it is closed then
 */
public record VerifiedToken(String subject, Role role, Instant expiresAt) {}
