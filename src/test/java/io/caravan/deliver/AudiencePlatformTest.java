package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AudiencePlatformTest {

    @Test
    void theGmailDotRuleRemovesDotsBeforeGmailAndGooglemailDomainsOnly() {
        assertThat(AudiencePlatform.googleEmail(" Jane.Q.Doe@GMail.com ", true)).isEqualTo("janeqdoe@gmail.com");
        assertThat(AudiencePlatform.googleEmail("jane.doe@googlemail.com", true)).isEqualTo("janedoe@googlemail.com");
        assertThat(AudiencePlatform.googleEmail("jane.doe@example.com", true)).isEqualTo("jane.doe@example.com");
        assertThat(AudiencePlatform.googleEmail("jane.doe@gmail.com.example", true)).isEqualTo("jane.doe@gmail.com.example");
    }

    @Test
    void customerMatchKeepsGmailDotsBecauseGoogleDocumentsTheRuleForOtherProducts() {
        assertThat(AudiencePlatform.GOOGLE_CUSTOMER_MATCH.email(" Jane.Doe@Gmail.com")).isEqualTo("jane.doe@gmail.com");
    }

    @Test
    void phonesFollowEachPlatformsFormat() {
        assertThat(AudiencePlatform.GOOGLE_CUSTOMER_MATCH.phone("+4915112345678")).isEqualTo("+4915112345678");
        assertThat(AudiencePlatform.META_CUSTOM_AUDIENCES.phone("+4915112345678")).isEqualTo("4915112345678");
        assertThat(AudiencePlatform.META_CUSTOM_AUDIENCES.phone("+0049 151")).isEqualTo("49151");
    }

    @Test
    void hashesAreLowercaseHexSha256() {
        assertThat(AudiencePlatform.sha256("john_smith@gmail.com"))
                .isEqualTo("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
        assertThat(AudiencePlatform.sha256(null)).isNull();
    }
}
