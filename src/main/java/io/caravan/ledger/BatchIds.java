package io.caravan.ledger;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Mints batch ids for {@link Ledger#newBatchId}. Thread-safe. */
final class BatchIds {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private BatchIds() {
    }

    static String mint(Instant startedAt) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return "b-" + TIME.format(startedAt) + "-" + HexFormat.of().formatHex(random);
    }
}
