package io.caravan.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Delivers files into a partner's inbox as the SFTP gateway completes an upload: the content is
 * written under a hidden temporary name ({@code .name.part}), renamed atomically to its name, and
 * then the empty marker {@code name.ready} is created, which is what the inbox routes wait for.
 *
 * <p>A delivery never overwrites one the route has not picked up yet: when a file of the same name
 * or its marker is still in the inbox, {@code deliver} first waits (up to {@link #PICKUP}) until
 * the route has moved the file away and removed the marker, and fails naming the file if it does
 * not. Stateless; safe for concurrent use on different names.
 */
public final class Inbox {
    /** How long a delivery waits for the route to pick up an earlier delivery of the same name. */
    public static final Duration PICKUP = Duration.ofSeconds(30);

    private Inbox() {
    }

    /** Delivers a copy of {@code file} under its own name into {@code inbox} (created if missing); returns the delivered file. */
    public static Path deliver(Path file, Path inbox) throws IOException {
        return deliver(inbox, file.getFileName().toString(), Files.readAllBytes(file));
    }

    /** Delivers {@code content} as {@code name} into {@code inbox} (created if missing); returns the delivered file. */
    public static Path deliver(Path inbox, String name, byte[] content) throws IOException {
        Files.createDirectories(inbox);
        awaitPickedUp(inbox, name, PICKUP);
        Path temporary = inbox.resolve("." + name + ".part");
        Files.write(temporary, content);
        Path delivered = Files.move(temporary, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(inbox.resolve(name + ".ready"));
        return delivered;
    }

    /**
     * Waits until neither {@code name} nor its {@code .ready} marker is in {@code inbox}, that is until
     * the route has picked up (moved away) an earlier delivery of that name; returns at once when there is none.
     *
     * @throws org.awaitility.core.ConditionTimeoutException naming the file when that takes longer than {@code timeout}
     */
    public static void awaitPickedUp(Path inbox, String name, Duration timeout) {
        await("the earlier delivery of " + name + " to be picked up from " + inbox + " (file and .ready marker gone)")
                .atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(inbox.resolve(name)) && !Files.exists(inbox.resolve(name + ".ready")));
    }
}
