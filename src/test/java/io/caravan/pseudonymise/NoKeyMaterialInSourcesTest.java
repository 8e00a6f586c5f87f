package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No key material is in the repository or in what the jar is built from: no key files, no Tink
 * keysets, no {@code caravan.keys.material} value, under {@code src/main}, {@code config},
 * {@code routes}, {@code connectors}, {@code samples} and the compiled {@code target/classes}.
 */
class NoKeyMaterialInSourcesTest {
    private static final List<Path> ROOTS = List.of(Path.of("src/main"), Path.of("config"), Path.of("routes"),
            Path.of("connectors"), Path.of("samples"), Path.of("target/classes"));
    /** A configured key value: 32 bytes in base64 (44 characters ending in '='). */
    private static final Pattern MATERIAL = Pattern.compile("material[.-][a-z0-9._-]+\\s*[:=]\\s*[A-Za-z0-9+/]{43}=");
    private static final Pattern TINK_KEYSET = Pattern.compile("\"keyMaterialType\"|google\\.crypto\\.tink\\.AesSivKey\"");

    @Test
    void noKeyFileKeysetOrConfiguredMaterialIsInTheSourcesOrTheBuiltClasses() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".key") || name.equals("aes256-siv.json") || file.toString().contains("keys/hmac")) {
                        found.add(file + ": a key file");
                        continue;
                    }
                    if (name.endsWith(".class") || Files.size(file) > 5_000_000) {
                        continue;
                    }
                    String text;
                    try {
                        text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
                    } catch (CharacterCodingException e) {
                        text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    }
                    if (MATERIAL.matcher(text).find()) {
                        found.add(file + ": configured key material");
                    }
                    if (TINK_KEYSET.matcher(text).find()) {
                        found.add(file + ": a Tink keyset");
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theScanRecognisesMaterialWhenItIsThere() {
        assertThat(MATERIAL.matcher("caravan.keys.material.warehouse-1=" + "A".repeat(43) + "=").find()).isTrue();
        assertThat(MATERIAL.matcher("CARAVAN_KEYS_MATERIAL_X: ${X}").find()).isFalse();
        assertThat(TINK_KEYSET.matcher("{\"keyMaterialType\":\"SYMMETRIC\"}").find()).isTrue();
    }
}
