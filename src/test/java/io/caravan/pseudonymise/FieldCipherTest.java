package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.AesSivParameters;
import com.google.crypto.tink.subtle.AesSiv;
import com.google.crypto.tink.util.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AES-SIV of the {@code encrypt} action against RFC 5297.
 *
 * <p>Tink, which makes the {@code _enc} values, only accepts 64-byte AES-SIV keys (AES-256-SIV),
 * while RFC 5297's published example A.1 uses a 32-byte key. So the proof has two links: a
 * small reference implementation of RFC 5297 (S2V over AES-CMAC, then AES-CTR; written here from
 * the RFC, with Bouncy Castle's CMAC) reproduces example A.1 exactly; and {@link FieldCipher},
 * built from a Tink keyset holding raw 64-byte keys, produces byte for byte what that reference
 * produces for the same keys, associated data and plaintexts.
 */
class FieldCipherTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5297, Appendix A.1 (deterministic authenticated encryption example). */
    private static final byte[] A1_KEY = HEX.parseHex(
            "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    private static final byte[] A1_AD = HEX.parseHex("101112131415161718191a1b1c1d1e1f2021222324252627");
    private static final byte[] A1_PLAINTEXT = HEX.parseHex("112233445566778899aabbccddee");
    private static final byte[] SIXTY_FOUR = HEX.parseHex(
            "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".repeat(2));
    private static final String A1_OUTPUT = "85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c";

    /** The Tink AES-SIV primitive over raw key bytes (RFC 5297 keys: 32 bytes, Caravan's keysets: 64). */
    private static FieldCipher raw(byte[] key) throws Exception {
        return new FieldCipher(new AesSiv(key));
    }

    /** A Tink keyset (as production loads one) holding raw key bytes, without output prefix. */
    private static FieldCipher keyset(byte[] key) throws Exception {
        AesSivParameters parameters = AesSivParameters.builder()
                .setKeySizeBytes(key.length).setVariant(AesSivParameters.Variant.NO_PREFIX).build();
        AesSivKey siv = AesSivKey.builder().setParameters(parameters)
                .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
        return new FieldCipher(KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.importKey(siv).withRandomId().makePrimary()).build());
    }

    @Test
    void referenceImplementationReproducesRfc5297ExampleA1() throws Exception {
        assertThat(HEX.formatHex(Rfc5297.seal(A1_KEY, A1_AD, A1_PLAINTEXT))).isEqualTo(A1_OUTPUT);
    }

    @ParameterizedTest(name = "plaintext of {0} bytes")
    @ValueSource(ints = {0, 1, 14, 15, 16, 17, 31, 32, 33, 100})
    void fieldCipherFromRawKeyBytesIsRfc5297AesSiv(int length) throws Exception {
        byte[] key = new byte[64];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (0xff - i * 3);
        }
        byte[] plaintext = new byte[length];
        for (int i = 0; i < length; i++) {
            plaintext[i] = (byte) (0x11 * (i + 1));
        }

        byte[] expected = Rfc5297.seal(key, A1_AD, plaintext);

        assertThat(HEX.formatHex(keyset(key).seal(plaintext, A1_AD))).isEqualTo(HEX.formatHex(expected));
        assertThat(HEX.formatHex(raw(key).seal(plaintext, A1_AD))).isEqualTo(HEX.formatHex(expected));
    }

    @Test
    void theReferenceIsSensitiveToEveryInput() throws Exception {
        byte[] other = A1_KEY.clone();
        other[31] ^= 1;
        assertThat(HEX.formatHex(Rfc5297.seal(other, A1_AD, A1_PLAINTEXT))).isNotEqualTo(A1_OUTPUT);
        assertThat(HEX.formatHex(Rfc5297.seal(A1_KEY, new byte[0], A1_PLAINTEXT))).isNotEqualTo(A1_OUTPUT);
    }

    /** RFC 5297 section 2.4 (S2V with one associated data string) and 2.6 (SIV-Encrypt), from the text. */
    private static final class Rfc5297 {
        static byte[] seal(byte[] key, byte[] associatedData, byte[] plaintext) throws Exception {
            int half = key.length / 2;
            byte[] macKey = java.util.Arrays.copyOfRange(key, 0, half);
            byte[] ctrKey = java.util.Arrays.copyOfRange(key, half, key.length);
            byte[] v = s2v(macKey, associatedData, plaintext);
            byte[] q = v.clone();
            q[8] &= 0x7f;
            q[12] &= 0x7f;
            javax.crypto.Cipher ctr = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(ctrKey, "AES"),
                    new javax.crypto.spec.IvParameterSpec(q));
            byte[] c = ctr.doFinal(plaintext);
            byte[] out = new byte[16 + c.length];
            System.arraycopy(v, 0, out, 0, 16);
            System.arraycopy(c, 0, out, 16, c.length);
            return out;
        }

        private static byte[] s2v(byte[] key, byte[] associatedData, byte[] plaintext) {
            byte[] d = cmac(key, new byte[16]);
            d = xor(dbl(d), cmac(key, associatedData));
            byte[] t;
            if (plaintext.length >= 16) {
                t = plaintext.clone();
                for (int i = 0; i < 16; i++) {
                    t[t.length - 16 + i] ^= d[i];
                }
            } else {
                byte[] padded = new byte[16];
                System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
                padded[plaintext.length] = (byte) 0x80;
                t = xor(dbl(d), padded);
            }
            return cmac(key, t);
        }

        private static byte[] cmac(byte[] key, byte[] data) {
            org.bouncycastle.crypto.macs.CMac mac = new org.bouncycastle.crypto.macs.CMac(
                    org.bouncycastle.crypto.engines.AESEngine.newInstance());
            mac.init(new org.bouncycastle.crypto.params.KeyParameter(key));
            mac.update(data, 0, data.length);
            byte[] out = new byte[16];
            mac.doFinal(out, 0);
            return out;
        }

        private static byte[] dbl(byte[] s) {
            byte[] out = new byte[16];
            for (int i = 0; i < 15; i++) {
                out[i] = (byte) ((s[i] << 1) | ((s[i + 1] & 0xff) >>> 7));
            }
            out[15] = (byte) (s[15] << 1);
            if ((s[0] & 0x80) != 0) {
                out[15] ^= (byte) 0x87;
            }
            return out;
        }

        private static byte[] xor(byte[] a, byte[] b) {
            byte[] out = new byte[16];
            for (int i = 0; i < 16; i++) {
                out[i] = (byte) (a[i] ^ b[i]);
            }
            return out;
        }
    }

    @Test
    void encryptedFieldValuesAreTheSealedBytesInBase64Url() throws Exception {
        FieldCipher cipher = keyset(SIXTY_FOUR);
        String value = "jane.doe@example.com";

        String encrypted = cipher.encrypt("email", value);

        assertThat(encrypted).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(
                cipher.seal(value.getBytes(StandardCharsets.UTF_8), "email".getBytes(StandardCharsets.UTF_8))));
        assertThat(cipher.encrypt("email", value)).isEqualTo(encrypted);
        assertThat(cipher.decrypt("email", encrypted)).isEqualTo(value);
    }

    @Test
    void aCiphertextOfOneFieldDoesNotDecryptAsAnotherAndTheErrorNamesOnlyTheField() throws Exception {
        FieldCipher cipher = keyset(SIXTY_FOUR);
        String encrypted = cipher.encrypt("email", "jane.doe@example.com");

        assertThatThrownBy(() -> cipher.decrypt("phone", encrypted))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phone")
                .hasMessageNotContaining("jane")
                .hasMessageNotContaining(encrypted);
    }

    @Test
    void generatedKeysetsAreAes256Siv() throws Exception {
        FieldCipher cipher = new FieldCipher(FieldCipher.newKeyset());
        assertThat(cipher.decrypt("vin", cipher.encrypt("vin", "WVWZZZ1JZXW000001"))).isEqualTo("WVWZZZ1JZXW000001");
        assertThat(cipher.toString()).doesNotContainIgnoringCase("key=");
    }
}
