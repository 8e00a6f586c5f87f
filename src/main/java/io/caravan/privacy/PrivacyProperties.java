package io.caravan.privacy;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.privacy.phone-region} (default {@code DE}): the region of phone numbers given
 * without a country code to the ops API's consent and erasure calls.
 */
@ConfigurationProperties("caravan.privacy")
record PrivacyProperties(String phoneRegion) {

    public PrivacyProperties {
        phoneRegion = phoneRegion == null || phoneRegion.isBlank() ? "DE" : phoneRegion.strip();
    }
}
