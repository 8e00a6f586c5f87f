package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCipherTest {
    private static final byte[] CONTEXT = "caravan.archive.v1:test".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CSV = """
            Kundennr;E-Mail;Telefon;FIN
            1;someone@example.com;030 1234567;WVWZZZ1JZXW000001
            """.getBytes(StandardCharsets.UTF_8);

    private final ArchiveCipher cipher = newCipher();

    @TempDir
    Path dir;

    @Test
    void roundTripGivesBackTheSameBytesAndTheCiphertextHoldsNoneOfThem() throws Exception {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        byte[] wrapped = cipher.seal(new ByteArrayInputStream(CSV), sealed, CONTEXT);

        assertThat(new String(sealed.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("someone@example.com")
                .doesNotContain("WVWZZZ1JZXW000001");
        assertThat(new String(wrapped, StandardCharsets.ISO_8859_1)).doesNotContain("AES256");
        try (InputStream plain = cipher.open(new ByteArrayInputStream(sealed.toByteArray()), wrapped, CONTEXT)) {
            assertThat(plain.readAllBytes()).isEqualTo(CSV);
        }
    }

    @Test
    void eachFileGetsADataKeyOfItsOwn() throws Exception {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        byte[] firstKey = cipher.seal(new ByteArrayInputStream(CSV), first, CONTEXT);
        byte[] secondKey = cipher.seal(new ByteArrayInputStream(CSV), second, CONTEXT);

        assertThat(firstKey).isNotEqualTo(secondKey);
        assertThat(first.toByteArray()).isNotEqualTo(second.toByteArray());
        assertThatThrownBy(() -> readAll(cipher.open(new ByteArrayInputStream(first.toByteArray()), secondKey, CONTEXT)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void anAlteredByteIsRefusedByAuthentication() throws Exception {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        byte[] wrapped = cipher.seal(new ByteArrayInputStream(CSV), sealed, CONTEXT);
        byte[] altered = sealed.toByteArray();
        altered[altered.length - 20] ^= 0x01;

        assertThatThrownBy(() -> readAll(cipher.open(new ByteArrayInputStream(altered), wrapped, CONTEXT)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("someone"));
    }

    @Test
    void aTruncatedFileIsRefusedByAuthentication() throws Exception {
        // two segments and a bit, so that cutting at a segment boundary is tried too
        byte[] large = random(2 * 1024 * 1024 + 100, 7);
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        byte[] wrapped = cipher.seal(new ByteArrayInputStream(large), sealed, CONTEXT);
        byte[] whole = sealed.toByteArray();

        for (int cut : new int[] {whole.length - 1, whole.length - 200, 1024 * 1024, 40}) {
            byte[] truncated = Arrays.copyOf(whole, cut);
            assertThatThrownBy(() -> readAll(cipher.open(new ByteArrayInputStream(truncated), wrapped, CONTEXT)))
                    .as("cut at %d of %d bytes", cut, whole.length).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anotherMasterKeyOrAnotherEntryIsRefused() throws Exception {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        byte[] wrapped = cipher.seal(new ByteArrayInputStream(CSV), sealed, CONTEXT);

        assertThatThrownBy(() -> newCipher().open(new ByteArrayInputStream(sealed.toByteArray()), wrapped, CONTEXT))
                .isInstanceOf(IOException.class)
                .hasMessage("the archive data key does not open with the archive master key");
        byte[] otherEntry = "caravan.archive.v1:other".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> cipher.open(new ByteArrayInputStream(sealed.toByteArray()), wrapped, otherEntry))
                .isInstanceOf(IOException.class);
        byte[] alteredKey = wrapped.clone();
        alteredKey[alteredKey.length / 2] ^= 0x01;
        assertThatThrownBy(() -> cipher.open(new ByteArrayInputStream(sealed.toByteArray()), alteredKey, CONTEXT))
                .isInstanceOf(IOException.class);
    }

    @Test
    void memoryStaysFlatWhileALargeFileIsSealedAndOpened() throws Exception {
        long size = 256L * 1024 * 1024;
        long baseline = retainedHeap();
        Generated source = new Generated(size, 11);
        Path sealedFile = dir.resolve("large.tink");
        byte[] wrapped;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(sealedFile), 1 << 16)) {
            wrapped = cipher.seal(source, out, CONTEXT);
        }
        assertThat(Files.size(sealedFile)).isGreaterThan(size);

        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Generated check = new Generated(size, 11);
        try (InputStream plain = cipher.open(new java.io.BufferedInputStream(Files.newInputStream(sealedFile), 1 << 16),
                wrapped, CONTEXT)) {
            byte[] buffer = new byte[1 << 16];
            long read = 0;
            for (int n; (n = plain.read(buffer)) > 0; read += n) {
                digest.update(buffer, 0, n);
                if (read / (32 << 20) != (read + n) / (32 << 20)) {
                    check.peak = Math.max(check.peak, retainedHeap());
                }
            }
            assertThat(read).isEqualTo(size);
        }
        assertThat(digest.digest()).as("the opened content").isEqualTo(digestOf(new Generated(size, 11)));
        long peak = Math.max(source.peak, check.peak);
        assertThat(peak - baseline).as("heap retained while streaming %d MB", size >> 20).isLessThan(32L << 20);
    }

    private static byte[] digestOf(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    private static long retainedHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void readAll(InputStream in) throws IOException {
        try (in) {
            in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static ArchiveCipher newCipher() {
        try {
            return new ArchiveCipher(ArchiveCipher.newMasterKeyset());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A deterministic pseudo-random stream of a given size, generated as it is read; samples the retained heap every 32 MB. */
    private static final class Generated extends InputStream {
        private final SplittableRandom random;
        private final byte[] chunk = new byte[8192];
        private long left;
        private long peak;

        Generated(long size, long seed) {
            this.random = new SplittableRandom(seed);
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, Math.min(left, chunk.length));
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            long before = left;
            left -= n;
            if (before / (32 << 20) != left / (32 << 20)) {
                peak = Math.max(peak, retainedHeap());
            }
            return n;
        }
    }
}
