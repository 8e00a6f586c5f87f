package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

    @Test
    void emailIsTrimmedAndLowercased() throws Exception {
        assertThat(Identifiers.email("  Jane.Doe@Example.COM \t")).isEqualTo("jane.doe@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jane.doe.example.com", "jane@doe@example.com", "@example.com", "jane@example",
            "jane@example.", "jane@.com", "jane doe@example.com", ""})
    void rejectsMalformedEmailWithoutEchoingIt(String raw) {
        assertThatThrownBy(() -> Identifiers.email(raw))
                .isInstanceOf(InvalidIdentifierException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).startsWith("e-mail");
                    if (!raw.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(raw);
                    }
                });
    }

    @Test
    void rejectsMissingEmail() {
        assertThatThrownBy(() -> Identifiers.email(null)).hasMessage("missing e-mail");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0151 1234 5678", "+49 151 12345678", "(0)151-12345678", "0049 151 12345678", "015112345678"})
    void germanMobileFormatsNormaliseToTheSameE164(String raw) throws Exception {
        assertThat(Identifiers.phone(raw, "DE")).isEqualTo("+4915112345678");
    }

    @Test
    void internationalNumberIgnoresTheDefaultRegion() throws Exception {
        assertThat(Identifiers.phone("+49 151 12345678", "FR")).isEqualTo("+4915112345678");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12345", "0151 12", "not a phone", "+49 000 0000000"})
    void rejectsInvalidPhoneNumbersWithoutEchoingThem(String raw) {
        assertThatThrownBy(() -> Identifiers.phone(raw, "DE"))
                .isInstanceOf(InvalidIdentifierException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("phone number").doesNotContain(raw));
    }

    @Test
    void rejectsBlankPhone() {
        assertThatThrownBy(() -> Identifiers.phone("  ", "DE")).hasMessage("missing phone number");
    }

    @Test
    void acceptsVinWithValidCheckDigit() throws Exception {
        assertThat(Identifiers.vin(" 1m8gdm9axkp042788 ", true)).isEqualTo("1M8GDM9AXKP042788");
        assertThat(Identifiers.vinCheckDigit("1M8GDM9AXKP042788")).isEqualTo('X');
    }

    @Test
    void rejectsVinWithWrongCheckDigitWhereTheMarketUsesIt() throws Exception {
        assertThatThrownBy(() -> Identifiers.vin("1M8GDM9A1KP042788", true))
                .isInstanceOf(InvalidIdentifierException.class)
                .hasMessage("invalid VIN check digit");
        // markets without the check digit (e.g. Europe) accept it
        assertThat(Identifiers.vin("1M8GDM9A1KP042788", false)).isEqualTo("1M8GDM9A1KP042788");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1M8GDM9AXKP04278I", "1M8GDM9AXKP04278O", "1M8GDM9AXKP04278Q"})
    void rejectsVinWithLettersIOrOOrQ(String raw) {
        assertThatThrownBy(() -> Identifiers.vin(raw, false))
                .isInstanceOf(InvalidIdentifierException.class)
                .hasMessage("VIN may only use A-H, J-N, P, R-Z and 0-9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1M8GDM9AXKP04278", "1M8GDM9AXKP0427888"})
    void rejectsVinOfWrongLength(String raw) {
        assertThatThrownBy(() -> Identifiers.vin(raw, false)).hasMessage("VIN must have 17 characters");
    }
}
