package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TokeniserTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] repeat(int value, int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // RFC 4231, section 4: HMAC-SHA-256 test vectors (case 5, a truncated output, does not apply)

    @Test
    void matchesRfc4231TestCase1() {
        assertThat(new Tokeniser(repeat(0x0b, 20)).token("Hi There"))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void matchesRfc4231TestCase2() {
        assertThat(new Tokeniser(ascii("Jefe")).token("what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void matchesRfc4231TestCase3() {
        assertThat(new Tokeniser(repeat(0xaa, 20)).token(repeat(0xdd, 50)))
                .isEqualTo("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    }

    @Test
    void matchesRfc4231TestCase4() {
        byte[] key = new byte[25];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i + 1);
        }
        assertThat(new Tokeniser(key).token(repeat(0xcd, 50)))
                .isEqualTo("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    }

    @Test
    void matchesRfc4231TestCase6() {
        assertThat(new Tokeniser(repeat(0xaa, 131)).token("Test Using Larger Than Block-Size Key - Hash Key First"))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void matchesRfc4231TestCase7() {
        assertThat(new Tokeniser(repeat(0xaa, 131)).token("This is a test using a larger than block-size key "
                + "and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."))
                .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }

    @Test
    void tokensOfNormalisedIdentifiersEqualAnIndependentHmac() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Tokeniser tokeniser = new Tokeniser("warehouse-20261123-1a2b", "warehouse", key);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (String value : List.of("jane.doe@example.com", "max.mustermann@example.org", "+4915112345678",
                "+12025550123", "1M8GDM9AXKP042788", "zoë@exämple.com")) {
            String expected = HEX.formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
            assertThat(tokeniser.token(value)).isEqualTo(expected).hasSize(64).matches("[0-9a-f]{64}");
        }
        assertThat(tokeniser.keyId()).isEqualTo("warehouse-20261123-1a2b");
    }

    @Test
    void sameValueUnderDifferentKeysGivesUnrelatedTokens() {
        Tokeniser a = new Tokeniser(repeat(1, 32));
        Tokeniser b = new Tokeniser(repeat(2, 32));
        assertThat(a.token("jane.doe@example.com")).isNotEqualTo(b.token("jane.doe@example.com"));
        assertThat(a.token("jane.doe@example.com")).isEqualTo(a.token("jane.doe@example.com"));
    }

    @Test
    void nullValueHasNullToken() {
        assertThat(new Tokeniser(repeat(1, 32)).token((String) null)).isNull();
    }

    @Test
    void concurrentThreadsGetTheSameTokens() throws Exception {
        Tokeniser tokeniser = new Tokeniser(repeat(7, 32));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            values.add("user" + i + "@example.com");
        }
        List<String> expected = values.stream().map(tokeniser::token).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> values.stream().map(tokeniser::token).toList()));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void toStringNamesTheKeyIdOnly() {
        byte[] key = repeat(0x41, 32);
        Tokeniser tokeniser = new Tokeniser("warehouse-20261123-1a2b", "warehouse", key);
        assertThat(tokeniser.toString()).isEqualTo("Tokeniser[warehouse-20261123-1a2b]")
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(key));
    }
}
