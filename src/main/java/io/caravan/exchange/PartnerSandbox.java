package io.caravan.exchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for a partner's own SFTP server: a second, separate Apache MINA SSHD server with its
 * own host key, on loopback, that Caravan reaches exactly as it reaches a real partner, with
 * Camel's {@code sftp} component. Used by the embedded default ({@code caravan.partner-sandbox.enabled})
 * for the demo route that polls a partner's server, and by the tests.
 *
 * <p>Layout under {@code dir} (owner-only): {@code ssh_host_ed25519_key} (the server's host key,
 * generated once), {@code caravan_ed25519} (Caravan's client key, the only one authorised, for
 * user {@value #USER}), {@code known_hosts} (the host key pinned for {@code [127.0.0.1]:port},
 * rewritten on every start since the port may change) and {@code root/} (the user's home, with
 * {@code <partner>/outbox} where the partner leaves files for Caravan and {@code <partner>/inbox}
 * where Caravan pushes exports). Public-key authentication only. Counts authentication attempts,
 * so tests can show that a host-key mismatch ends the connection before any. Logs no key.
 */
public final class PartnerSandbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartnerSandbox.class);
    public static final String USER = "caravan";
    public static final String HOST = "127.0.0.1";

    private final Path dir;
    private final SshServer sshd;
    private final KeyPair hostKey;
    private final AtomicInteger authAttempts = new AtomicInteger();

    private PartnerSandbox(Path dir, SshServer sshd, KeyPair hostKey) {
        this.dir = dir;
        this.sshd = sshd;
        this.hostKey = hostKey;
    }

    /**
     * Starts a sandbox server on {@code port} (0: any free port) over {@code dir}, with
     * {@code <partner>/inbox} and {@code <partner>/outbox} for each partner.
     */
    public static PartnerSandbox start(Path dir, int port, List<String> partners) throws IOException {
        Objects.requireNonNull(dir, "dir");
        KeyFiles.createOwnerOnlyDirectories(dir);
        KeyPair host = KeyFiles.loadOrCreateEd25519(dir.resolve("ssh_host_ed25519_key"), "partner-sandbox");
        KeyPair client = KeyFiles.loadOrCreateEd25519(dir.resolve("caravan_ed25519"), "caravan@partner-sandbox");
        Path root = dir.resolve("root").toAbsolutePath();
        for (String partner : partners) {
            KeyFiles.createOwnerOnlyDirectories(root.resolve(partner).resolve("outbox"));
            KeyFiles.createOwnerOnlyDirectories(root.resolve(partner).resolve("inbox"));
        }
        KeyFiles.createOwnerOnlyDirectories(root);
        SshServer sshd = SshServer.setUpDefaultServer();
        PartnerSandbox sandbox = new PartnerSandbox(dir, sshd, host);
        sshd.setHost(HOST);
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(host));
        sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setPublickeyAuthenticator((username, key, session) -> {
            sandbox.authAttempts.incrementAndGet();
            return USER.equals(username) && KeyUtils.compareKeys(client.getPublic(), key);
        });
        sshd.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE));
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
        sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        sshd.start();
        Files.writeString(sandbox.knownHosts(), knownHostsLine(HOST, sshd.getPort(), host.getPublic()),
                StandardCharsets.US_ASCII);
        LOG.info("partner sandbox SFTP server listening on {}:{} (stand-in for partners' own servers)", HOST, sshd.getPort());
        return sandbox;
    }

    /** A known_hosts line pinning {@code key} for {@code host} and {@code port}. */
    public static String knownHostsLine(String host, int port, PublicKey key) {
        return (port == 22 ? host : "[" + host + "]:" + port) + " " + PublicKeyEntry.toString(key) + "\n";
    }

    public int port() {
        return sshd.getPort();
    }

    public Path root() {
        return dir.resolve("root").toAbsolutePath();
    }

    /** Caravan's private key for this server. */
    public Path clientKey() {
        return dir.resolve("caravan_ed25519").toAbsolutePath();
    }

    /** known_hosts pinning this server's host key. */
    public Path knownHosts() {
        return dir.resolve("known_hosts").toAbsolutePath();
    }

    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /** Public-key authentication attempts seen so far (any user, any key). */
    public int authAttempts() {
        return authAttempts.get();
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    @Override
    public String toString() {
        return "PartnerSandbox[" + HOST + ":" + port() + "]";
    }
}
