package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The identity vault's seal: round trip, determinism, and refusals that never quote the sealed values. */
class IdentitySealTest {
    private static final String EMAIL = "jane.doe@example.com";
    private static final String PHONE = "+4915112345678";

    private static IdentitySeal seal() throws Exception {
        return new IdentitySeal(new FieldCipher(FieldCipher.newKeyset()));
    }

    @Test
    void opensToExactlyTheSealedValuesWithoutNulls() throws Exception {
        IdentitySeal seal = seal();
        Map<String, String> values = new HashMap<>();
        values.put("email_token", EMAIL);
        values.put("phone_token", PHONE);
        values.put("vin_token", null);

        String sealed = seal.seal(values);

        assertThat(sealed).matches("[A-Za-z0-9_-]+").doesNotContain("jane").doesNotContain("15112345678");
        assertThat(seal.open(sealed)).containsOnly(entry("email_token", EMAIL), entry("phone_token", PHONE));
    }

    @Test
    void isDeterministicWhateverTheMapOrderSoReDeliveredRowsStayEqual() throws Exception {
        IdentitySeal seal = seal();
        Map<String, String> one = new java.util.LinkedHashMap<>();
        one.put("email_token", EMAIL);
        one.put("phone_token", PHONE);
        Map<String, String> other = new java.util.LinkedHashMap<>();
        other.put("phone_token", PHONE);
        other.put("email_token", EMAIL);

        assertThat(seal.seal(one)).isEqualTo(seal.seal(other));
        assertThat(seal.seal(Map.of("email_token", "someone@example.com"))).isNotEqualTo(seal.seal(Map.of("email_token", EMAIL)));
    }

    @Test
    void nothingToSealGivesNull() throws Exception {
        Map<String, String> none = new HashMap<>();
        none.put("email_token", null);
        assertThat(seal().seal(none)).isNull();
        assertThat(seal().seal(Map.of())).isNull();
    }

    @Test
    void anotherKeysetOrTheEncryptActionsAssociatedDataDoesNotOpenIt() throws Exception {
        FieldCipher cipher = new FieldCipher(FieldCipher.newKeyset());
        IdentitySeal seal = new IdentitySeal(cipher);
        String sealed = seal.seal(Map.of("email_token", EMAIL));

        assertThatThrownBy(() -> seal().open(sealed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed identifiers do not open with the vault keyset");
        // the same keyset used for the encrypt action: the associated data keeps the two apart
        assertThatThrownBy(() -> cipher.decrypt("email", sealed)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open(cipher.encrypt("email", EMAIL))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(EMAIL);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 20, -1})
    void anAlteredSealIsRefusedWithoutQuotingIt(int position) throws Exception {
        IdentitySeal seal = seal();
        String sealed = seal.seal(Map.of("email_token", EMAIL));
        byte[] bytes = java.util.Base64.getUrlDecoder().decode(sealed);
        bytes[position < 0 ? bytes.length - 1 : position] ^= 0x01;
        String altered = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        assertThatThrownBy(() -> seal.open(altered)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed identifiers do not open with the vault keyset");
        assertThatThrownBy(() -> seal.open("not base64 !")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed identifiers do not open with the vault keyset");
    }

    @Test
    void unicodeAndLongValuesRoundTrip() throws Exception {
        IdentitySeal seal = seal();
        String unicode = "özgür.böhm@exämple.de";
        String longValue = "a".repeat(5000) + "@example.com";
        assertThat(seal.open(seal.seal(Map.of("email_token", unicode, "vin_token", longValue))))
                .containsOnly(entry("email_token", unicode), entry("vin_token", longValue));
    }
}
