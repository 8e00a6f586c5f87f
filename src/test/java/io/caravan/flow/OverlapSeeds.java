package io.caravan.flow;

import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Warehouse leads with sealed identifiers and a partner's overlap file of their hashes, for the overlap tests. */
final class OverlapSeeds {
    private int sequence;
    private final CaravanApp app;

    OverlapSeeds(CaravanApp app) {
        this.app = app;
    }

    /** {@code count} ID-less leads of new subjects for {@code model}, as the pipeline would store them; their e-mails. */
    List<String> leads(int count, String model) {
        KeyRing keys = app.bean(KeyRing.class);
        Tokeniser tokens = keys.tokeniser(KeyRing.WAREHOUSE);
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = ++sequence;
            String email = "overlap" + n + "@example.com";
            String subject = tokens.token(email);
            app.jdbc().update("INSERT INTO caravan.lead (record_key, connector_id, partner_id, data_class, batch_id, "
                    + "ingested_at, lead_id, lead_at, model, subject_token, email_token, key_id, sealed_identifiers) VALUES "
                    + "(?, 'test', 'autoboerse', 'second_party', 'b-test', now(), ?, now(), ?, ?, ?, ?, ?)",
                    "rk-ov-" + n, "OV-" + n, model, subject, subject, tokens.keyId(),
                    keys.identitySeal().seal(Map.of("email_token", email, "subject_token", email)));
            emails.add(email);
        }
        return emails;
    }

    /** The overlap upload file of {@code emails}: header {@code email_sha256}, SHA-256 hex of each (Google-normalised). */
    static String file(List<String> emails) throws Exception {
        StringBuilder csv = new StringBuilder("email_sha256\r\n");
        for (String email : emails) {
            csv.append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(email.strip().toLowerCase().getBytes(StandardCharsets.UTF_8)))).append("\r\n");
        }
        return csv.toString();
    }
}
