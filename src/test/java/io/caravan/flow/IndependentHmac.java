package io.caravan.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens computed the way the privacy contract defines them, independently of the code under
 * test: HMAC-SHA256 with the warehouse key that the embedded default generated in a data
 * directory (read from its key files), lowercase hex.
 */
final class IndependentHmac {
    private IndependentHmac() {
    }

    /** The id of the warehouse domain's active key in {@code dataDir}. */
    static String warehouseKeyId(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve("keys/hmac/warehouse/active")).strip();
    }

    /** {@code lowercase hex(HMAC-SHA256(active warehouse key, UTF-8(normalised)))}. */
    static String warehouseToken(Path dataDir, String normalised) throws IOException, GeneralSecurityException {
        byte[] key = Base64.getDecoder().decode(
                Files.readString(dataDir.resolve("keys/hmac/warehouse/" + warehouseKeyId(dataDir) + ".key")).strip());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(normalised.getBytes(StandardCharsets.UTF_8)));
    }
}
