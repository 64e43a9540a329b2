package staffsync.auth;

import java.time.Instant;

/**
 * What /health and /ready show of the project's JWKS.
 *
 * @param keys      usable keys held now (kept from the last good fetch even when later ones fail)
 * @param fetchedAt the last successful fetch, or null when none has succeeded yet
 * @param lastError why the last fetch failed, or null when it succeeded
 */
public record JwksStatus(String url, int keys, Instant fetchedAt, String lastError) {}
