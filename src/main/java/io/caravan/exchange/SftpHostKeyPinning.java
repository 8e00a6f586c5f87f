package io.caravan.exchange;

import io.caravan.error.SafeMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.sshd.client.config.hosts.KnownHostEntry;

/**
 * Refuses every Camel {@code sftp:} endpoint whose partner host key is not pinned, when the
 * endpoint is created (for a route in a file: at start-up, before anything connects): it must say
 * {@code strictHostKeyChecking=yes}, must not {@code autoCreateKnownHostsFile}, and must name a
 * readable {@code knownHostsFile} holding an entry for its host and port (OpenSSH syntax,
 * {@code [host]:port} for ports other than 22; hashed entries are matched too). There is no silent
 * {@code strictHostKeyChecking=no}. Registered as a {@link org.apache.camel.spi.LifecycleStrategy}
 * bean, so it applies to every route and to endpoints made from Java alike, with no per-route code.
 *
 * <p>The error ({@link SftpHostKeyException}) names the route's host and port and the setting to
 * fix, never a user name, password or key. Stateless and thread-safe.
 */
public final class SftpHostKeyPinning extends LifecycleStrategySupport {

    @Override
    public void onEndpointAdd(Endpoint endpoint) {
        if (endpoint instanceof SftpEndpoint sftp) {
            check(sftp.getConfiguration());
        }
    }

    /** Checks one endpoint's settings; throws {@link SftpHostKeyException} naming what to fix. */
    static void check(SftpConfiguration configuration) {
        String target = "sftp endpoint for " + configuration.getHost() + ":" + configuration.getPort();
        String strict = configuration.getStrictHostKeyChecking();
        if (strict == null || !strict.toLowerCase(Locale.ROOT).equals("yes")) {
            throw new SftpHostKeyException(target + ": strictHostKeyChecking must be yes (the partner's host key is pinned)");
        }
        if (configuration.isAutoCreateKnownHostsFile()) {
            throw new SftpHostKeyException(target + ": autoCreateKnownHostsFile would trust the first key seen; remove it");
        }
        String file = configuration.getKnownHostsFile();
        if (file == null || file.isBlank()) {
            throw new SftpHostKeyException(target + ": no knownHostsFile; pin the partner's host key in a known_hosts file");
        }
        Path path = Path.of(file);
        List<KnownHostEntry> entries;
        try {
            entries = Files.isReadable(path) ? KnownHostEntry.readKnownHostEntries(path) : null;
        } catch (IOException | RuntimeException e) {
            entries = null;
        }
        if (entries == null) {
            throw new SftpHostKeyException(target + ": knownHostsFile " + file + " is missing or unreadable");
        }
        int port = configuration.getPort() <= 0 ? 22 : configuration.getPort();
        boolean pinned = entries.stream().anyMatch(entry -> entry.getMarker() == null
                && entry.isHostMatch(configuration.getHost(), port));
        if (!pinned) {
            throw new SftpHostKeyException(target + ": knownHostsFile " + file + " has no host key for this host and port");
        }
    }

    /** A partner SFTP endpoint without a pinned host key: a configuration error. */
    public static final class SftpHostKeyException extends IllegalStateException implements SafeMessage {
        SftpHostKeyException(String message) {
            super(message);
        }
    }
}
