package staffsync.store.supabase;

import staffsync.protocol.ErrorCode;
import staffsync.store.MutationResult;

/**
 * What a PostgREST or gateway error means for the store and for the client. Stateless.
 *
 * <p>PostgREST maps SQLSTATEs to HTTP statuses (docs: references/errors, "HTTP Status Codes");
 * the store maps them on to protocol error codes:
 * <table>
 *   <caption>error mapping</caption>
 *   <tr><th>answer</th><th>protocol code</th></tr>
 *   <tr><td>400 with 22xxx (bad value), 23502 (not null), 23514 (check), 42703 (no such column), PGRST204 (column not in the schema cache)</td><td>VALIDATION_FAILED</td></tr>
 *   <tr><td>409 23505</td><td>ALREADY_EXISTS (decided by the caller)</td></tr>
 *   <tr><td>401 / 403 (key or grant), 404 PGRST205 (no such table), 5xx, gateway answers</td><td>STORE_UNAVAILABLE</td></tr>
 *   <tr><td>anything else</td><td>INTERNAL</td></tr>
 * </table>
 */
final class ErrorMapping {
    private ErrorMapping() {}

    /**
     * True when the answer may hide a committed write: a gateway error (no PostgREST error code)
     * with a 5xx status such as 502 or 504, which the proxy in front of PostgREST sends when the
     * upstream answer was lost or late. PostgREST's own errors mean the transaction was rolled
     * back, and a gateway 503 means the request was not passed on (service unavailable).
     */
    static boolean mayHaveApplied(PostgrestException e) {
        return !e.fromPostgrest() && e.status() >= 500 && e.status() != 503;
    }

    /** True when no request can succeed until something changes: credentials, grants, the table, the service. */
    static boolean meansStoreUnusable(PostgrestException e) {
        return e.status() == 401 || e.status() == 403 || e.isCode("PGRST205") || e.status() >= 500;
    }

    /** True for a refused key or missing grant: an operator must act, so it is logged loudly. */
    static boolean isKeyOrGrantProblem(PostgrestException e) {
        return e.status() == 401 || e.status() == 403 || e.isCode("42501");
    }

    static MutationResult.Rejected toRejection(PostgrestException e, String staffId) {
        if (isValidationError(e)) {
            return new MutationResult.Rejected(ErrorCode.VALIDATION_FAILED,
                    "the database refused the values: " + e.detail(), staffId, null);
        }
        if (isKeyOrGrantProblem(e)) {
            return MutationResult.unavailable(staffId, "the database refused the server's credentials");
        }
        if (e.isCode("PGRST205")) {
            return MutationResult.unavailable(staffId, "the staff table does not exist in the database");
        }
        if (e.status() >= 500) {
            return MutationResult.unavailable(staffId, "the database is unavailable (HTTP " + e.status() + ")");
        }
        return new MutationResult.Rejected(ErrorCode.INTERNAL,
                "the database answered unexpectedly (HTTP " + e.status() + ")", staffId, null);
    }

    private static boolean isValidationError(PostgrestException e) {
        String code = e.code();
        return code != null && e.status() == 400
                && (code.startsWith("22") || code.equals("23502") || code.equals("23514")
                    || code.equals("42703") || code.equals("PGRST204"));
    }
}
