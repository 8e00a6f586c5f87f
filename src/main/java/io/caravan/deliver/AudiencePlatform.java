package io.caravan.deliver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ad platforms an {@code activation} agreement can build an audience for, each with the
 * normalisation its documentation prescribes before SHA-256 and the columns of its customer-list
 * upload file. Inputs are identifiers as Caravan's contract already normalised them (e-mail trimmed
 * and lower-cased, phone in E.164); each platform's rules are applied again on top, so the output
 * is right even for a value that bypassed that step.
 *
 * <ul>
 *   <li>{@link #GOOGLE_CUSTOMER_MATCH}: e-mail trimmed and lower-cased; phone in E.164 with its
 *       {@code +} (Google Ads "Customer Match data file formatting" and the Google Ads API's
 *       Customer Match example, which normalises by trim and lower case only). The Gmail dot rule
 *       (dots before {@code @gmail.com}/{@code @googlemail.com} removed) is what Google documents for
 *       enhanced conversions and Campaign Manager 360, not for Customer Match, so it is off here and
 *       available through {@link #googleEmail(String, boolean)}. File: CSV with header
 *       {@code Email,Phone}.</li>
 *   <li>{@link #META_CUSTOM_AUDIENCES}: e-mail trimmed and lower-cased; phone with symbols,
 *       letters and leading zeros removed, country code kept ({@code +4915112345678} →
 *       {@code 4915112345678}) (Meta Marketing API, customer information parameters). File: CSV
 *       with header {@code email,phone}.</li>
 * </ul>
 * Hashes are lowercase hex SHA-256 of the UTF-8 bytes. Stateless and thread-safe; never logs.
 */
enum AudiencePlatform {
    GOOGLE_CUSTOMER_MATCH("google_customer_match", List.of("Email", "Phone")) {
        @Override
        String email(String value) {
            return googleEmail(value, false);
        }

        @Override
        String phone(String e164) {
            String digits = e164.strip().replaceAll("[^0-9]", "");
            return digits.isEmpty() ? null : "+" + digits;
        }
    },
    META_CUSTOM_AUDIENCES("meta_custom_audiences", List.of("email", "phone")) {
        @Override
        String email(String value) {
            String normalised = value.strip().toLowerCase(Locale.ROOT);
            return normalised.isEmpty() ? null : normalised;
        }

        @Override
        String phone(String e164) {
            String digits = e164.replaceAll("[^0-9]", "").replaceFirst("^0+", "");
            return digits.isEmpty() ? null : digits;
        }
    };

    private final String id;
    private final List<String> header;

    AudiencePlatform(String id, List<String> header) {
        this.id = id;
        this.header = header;
    }

    /** The id used in {@code config/agreements.yaml}. */
    String id() {
        return id;
    }

    /** The upload file's header: the e-mail column, then the phone column. */
    List<String> header() {
        return header;
    }

    /** The platform's normalised e-mail, or null when nothing is left. */
    abstract String email(String value);

    /** The platform's normalised phone number from an E.164 number, or null when nothing is left. */
    abstract String phone(String e164);

    static Optional<AudiencePlatform> of(String id) {
        for (AudiencePlatform platform : values()) {
            if (platform.id.equals(id)) {
                return Optional.of(platform);
            }
        }
        return Optional.empty();
    }

    static List<String> ids() {
        return java.util.Arrays.stream(values()).map(AudiencePlatform::id).toList();
    }

    /**
     * Google's e-mail normalisation: trim, lower case and, with {@code gmailDots}, every {@code .}
     * before the {@code @} of a {@code gmail.com} or {@code googlemail.com} address removed.
     */
    static String googleEmail(String value, boolean gmailDots) {
        String normalised = value.strip().toLowerCase(Locale.ROOT);
        if (normalised.isEmpty()) {
            return null;
        }
        int at = normalised.lastIndexOf('@');
        if (gmailDots && at > 0) {
            String domain = normalised.substring(at + 1);
            if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
                normalised = normalised.substring(0, at).replace(".", "") + "@" + domain;
            }
        }
        return normalised;
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code normalised}; null stays null. */
    static String sha256(String normalised) {
        if (normalised == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available");
        }
    }
}
