package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The key rule, exactly: legacy JWT in both headers, secret key in apikey only. */
class ApiKeyTest {
    @RegisterExtension
    final StoreFixture fixture = new StoreFixture();

    private List<PostgrestStandIn.Request> requestsOfAStoreWith(String key) throws Exception {
        fixture.newStore(key, "staff_members").start(fixture.listener);
        fixture.listener.awaitLoaded(StoreFixture.WAIT);
        return fixture.standIn.requests();
    }

    @Test
    void aLegacyJwtKeyIsSentAsApikeyAndAsBearerToken() throws Exception {
        PostgrestStandIn.Request request = requestsOfAStoreWith(PostgrestStandIn.LEGACY_KEY).get(0);
        assertEquals(PostgrestStandIn.LEGACY_KEY, request.headers().get("apikey"));
        assertEquals("Bearer " + PostgrestStandIn.LEGACY_KEY, request.headers().get("authorization"));
    }

    @Test
    void aSecretKeyIsSentAsApikeyOnlyWithNoAuthorizationHeader() throws Exception {
        for (PostgrestStandIn.Request request : requestsOfAStoreWith(PostgrestStandIn.SECRET_KEY)) {
            assertEquals(PostgrestStandIn.SECRET_KEY, request.headers().get("apikey"));
            assertFalse(request.headers().containsKey("authorization"));
        }
    }

    @Test
    void theKindIsRecognisedFromTheKeysShape() {
        assertEquals(ApiKey.Kind.SECRET, ApiKey.parse(PostgrestStandIn.SECRET_KEY).kind());
        assertEquals(ApiKey.Kind.LEGACY_JWT, ApiKey.parse(PostgrestStandIn.LEGACY_KEY).kind());
    }

    @Test
    void aPublishableKeyIsRefusedWithAMessageThatDoesNotContainIt() {
        String key = "sb_publishable_abcdef123456";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKey.parse(key));
        assertTrue(e.getMessage().contains("SUPABASE_SERVICE_KEY"));
        assertFalse(e.getMessage().contains(key));
    }

    @Test
    void aKeyOfNeitherShapeIsRefusedWithAMessageThatDoesNotContainIt() {
        String key = "not-a-key-at-all";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKey.parse(key));
        assertFalse(e.getMessage().contains(key));
    }

    @Test
    void toStringNamesTheKindButNeverTheKey() {
        ApiKey key = ApiKey.parse(PostgrestStandIn.SECRET_KEY);
        assertEquals("ApiKey[secret key]", key.toString());
        assertEquals("x [redacted key] y", key.redact("x " + PostgrestStandIn.SECRET_KEY + " y"));
    }
}
