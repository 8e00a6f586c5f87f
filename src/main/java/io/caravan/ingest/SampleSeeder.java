package io.caravan.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The embedded default's demo: once the platform is ready, places each sample file
 * {@code samples/<partner>/<file>} in that partner's inbox ({@code <sftp root>/<partner>/inbox/})
 * as a partner's upload through the SFTP gateway would — written under a temporary dot-name,
 * renamed when complete, then marked complete with {@code <file>.ready} — so the partner's route
 * ingests it like any delivery. A file is seeded once per data directory
 * (remembered in {@code <data>/samples-seeded.txt}); samples added later are seeded on the next start.
 *
 * <p>On only when {@code caravan.samples.seed=true} (the embedded default).
 */
@Component
class SampleSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(SampleSeeder.class);

    private final boolean enabled;
    private final Path samples;
    private final Path sftpRoot;
    private final Path record;

    SampleSeeder(@Value("${caravan.samples.seed:false}") boolean enabled,
                 @Value("${caravan.samples.dir:samples}") Path samples,
                 @Value("${caravan.sftp.root:data/sftp}") Path sftpRoot,
                 @Value("${caravan.data-dir:data}") Path dataDir) {
        this.enabled = enabled;
        this.samples = samples;
        this.sftpRoot = sftpRoot;
        this.record = dataDir.resolve("samples-seeded.txt");
    }

    @EventListener(ApplicationReadyEvent.class)
    void seed() {
        if (!enabled || !Files.isDirectory(samples)) {
            return;
        }
        try {
            Set<String> done = Files.exists(record)
                    ? new LinkedHashSet<>(Files.readAllLines(record, StandardCharsets.UTF_8)) : new LinkedHashSet<>();
            List<String> seeded = new ArrayList<>();
            try (Stream<Path> partners = Files.list(samples)) {
                for (Path partnerDir : partners.filter(Files::isDirectory).sorted().toList()) {
                    seedPartner(partnerDir, done, seeded);
                }
            }
            if (!seeded.isEmpty()) {
                Files.createDirectories(record.getParent());
                Files.write(record, done, StandardCharsets.UTF_8);
                LOG.info("Placed {} sample file(s) in partner inboxes under {}: {}", seeded.size(), sftpRoot, String.join(", ", seeded));
            } else {
                LOG.info("Sample files were already ingested into this data directory; upload new files with sftp"
                        + " (port and demo partners in local.env), or put them in {}/<partner>/inbox followed by an"
                        + " empty <file name>.ready", sftpRoot);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not place the sample files in the partner inboxes", e);
        }
    }

    private void seedPartner(Path partnerDir, Set<String> done, List<String> seeded) throws IOException {
        String partner = partnerDir.getFileName().toString();
        Path inbox = sftpRoot.resolve(partner).resolve("inbox");
        try (Stream<Path> files = Files.list(partnerDir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String key = partner + "/" + file.getFileName();
                if (done.contains(key) || file.getFileName().toString().startsWith(".")) {
                    continue;
                }
                Files.createDirectories(inbox);
                Path temporary = inbox.resolve("." + file.getFileName() + ".part");
                Files.copy(file, temporary, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temporary, inbox.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                Files.createFile(inbox.resolve(file.getFileName() + ".ready"));
                done.add(key);
                seeded.add(key);
            }
        }
    }
}
