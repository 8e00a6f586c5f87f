package io.caravan.pseudonymise;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;

/**
 * Normalisation of identifiers before any token is computed, exactly as the privacy contract
 * specifies. Pure functions: deterministic, thread-safe, no logging. A value that does not
 * normalise raises {@link InvalidIdentifierException} whose message names the rule, never the value.
 */
public final class Identifiers {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final int[] VIN_WEIGHTS = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};

    private Identifiers() {
    }

    /**
     * Trims surrounding white space and lowercases the whole address. Valid when it has exactly
     * one {@code @}, a non-empty local part and a dot inside the domain, and no inner white space.
     */
    public static String email(String raw) throws InvalidIdentifierException {
        if (raw == null) {
            throw new InvalidIdentifierException("missing e-mail");
        }
        String value = raw.strip().toLowerCase(Locale.ROOT);
        int at = value.indexOf('@');
        if (at <= 0 || at != value.lastIndexOf('@')) {
            throw new InvalidIdentifierException("e-mail must have exactly one @ after a local part");
        }
        String domain = value.substring(at + 1);
        int dot = domain.indexOf('.');
        if (dot <= 0 || domain.endsWith(".")) {
            throw new InvalidIdentifierException("e-mail domain must contain a dot");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                throw new InvalidIdentifierException("e-mail must not contain white space");
            }
        }
        return value;
    }

    /**
     * Parses with the connector's default region (ISO 3166 alpha-2, e.g. {@code DE}) and formats
     * as E.164. Invalid when libphonenumber cannot parse it or does not consider it a valid number.
     */
    public static String phone(String raw, String defaultRegion) throws InvalidIdentifierException {
        if (raw == null || raw.isBlank()) {
            throw new InvalidIdentifierException("missing phone number");
        }
        PhoneNumber number;
        try {
            number = PHONES.parse(raw, defaultRegion);
        } catch (NumberParseException e) {
            throw new InvalidIdentifierException("phone number does not parse (" + e.getErrorType() + ")");
        }
        if (!PHONES.isValidNumber(number)) {
            throw new InvalidIdentifierException("phone number is not a valid number");
        }
        return PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    }

    /**
     * Trims and uppercases; valid when 17 characters from {@code A-H J-N P R-Z 0-9}. When
     * {@code verifyCheckDigit} is set (markets that use it, e.g. North America), position 9 must
     * be the ISO 3779 check digit.
     */
    public static String vin(String raw, boolean verifyCheckDigit) throws InvalidIdentifierException {
        if (raw == null) {
            throw new InvalidIdentifierException("missing VIN");
        }
        String vin = raw.strip().toUpperCase(Locale.ROOT);
        if (vin.length() != 17) {
            throw new InvalidIdentifierException("VIN must have 17 characters");
        }
        for (int i = 0; i < 17; i++) {
            char c = vin.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q');
            if (!ok) {
                throw new InvalidIdentifierException("VIN may only use A-H, J-N, P, R-Z and 0-9");
            }
        }
        if (verifyCheckDigit && vin.charAt(8) != vinCheckDigit(vin)) {
            throw new InvalidIdentifierException("invalid VIN check digit");
        }
        return vin;
    }

    /** The ISO 3779 / 49 CFR 565 check digit of a 17-character VIN ({@code 0-9} or {@code X}). */
    static char vinCheckDigit(String vin) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += transliterate(vin.charAt(i)) * VIN_WEIGHTS[i];
        }
        int remainder = sum % 11;
        return remainder == 10 ? 'X' : (char) ('0' + remainder);
    }

    private static int transliterate(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        // A-H = 1-8, J-N = 1-5, P = 7, R = 9, S-Z = 2-9
        if (c >= 'A' && c <= 'H') {
            return c - 'A' + 1;
        }
        if (c >= 'J' && c <= 'N') {
            return c - 'J' + 1;
        }
        if (c == 'P') {
            return 7;
        }
        if (c == 'R') {
            return 9;
        }
        return c - 'S' + 2;
    }
}
