package io.caravan.governance;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.governance.*}: the contacts the record of processing names (Art. 30(1)(a)).
 *
 * <pre>
 * caravan.governance.controller.name=Example Motors GmbH
 * caravan.governance.controller.email=privacy@example.com      a role address, not a person's
 * caravan.governance.controller.address=Musterstraße 1, 10115 Berlin, DE
 * caravan.governance.dpo.name=Data Protection Officer
 * caravan.governance.dpo.email=dpo@example.com
 * </pre>
 *
 * A contact without a name and an e-mail is missing: a warning in the record and in validation,
 * never a failed start.
 */
@ConfigurationProperties("caravan.governance")
record GovernanceProperties(ContactProperties controller, ContactProperties dpo) {

    /** One contact; every part optional. */
    record ContactProperties(String name, String email, String phone, String address) {
        /** The contact, or null when it names neither a name nor an e-mail. */
        ProcessingRecord.Contact toContact() {
            if (blank(name) && blank(email)) {
                return null;
            }
            return new ProcessingRecord.Contact(strip(name), strip(email), strip(phone), strip(address));
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }

        private static String strip(String s) {
            return blank(s) ? null : s.strip();
        }
    }

    ProcessingRecord.Contact controllerContact() {
        return controller == null ? null : controller.toContact();
    }

    ProcessingRecord.Contact dpoContact() {
        return dpo == null ? null : dpo.toContact();
    }
}
