package io.caravan.exchange;

import io.caravan.error.ConfigException;
import io.caravan.platform.LocalEnv;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Caravan's hosted SFTP gateway (Apache MINA SSHD) for partners that do not run their own server.
 *
 * <h2>Accounts and layout</h2>
 * Partners come from the partners file ({@link PartnersFile}); each logs in with its id as user
 * name and one of its public keys (public-key authentication only: no passwords, no
 * keyboard-interactive, no host-based). Partner {@code <id>} is jailed in {@code <root>/<id>/}, which
 * the gateway creates with {@code inbox/} (the partner uploads there) and {@code outbox/} (Caravan
 * writes there, the partner only reads). MINA's root-jailed file system keeps every path ({@code ..},
 * absolute, symbolic link) inside the partner's root; {@link JailedSftpAccessor} adds the rest:
 * writes, renames and removals only of files directly in {@code inbox/}, no directories, no links.
 * Only the SFTP subsystem is offered: no shell, exec or forwarding.
 *
 * <h2>Upload completion: the contract for ingest routes</h2>
 * A file in {@code <root>/<id>/inbox/} is complete when an empty done marker
 * {@code <name>.ready} exists beside it. The gateway creates the marker
 * <ul>
 *   <li>when the last SFTP handle that had the file open for writing is closed by the client
 *       (SSH_FXP_CLOSE) without error, or</li>
 *   <li>when a file is renamed to that name (upload as {@code x.csv.part}, then rename to
 *       {@code x.csv}),</li>
 * </ul>
 * unless the name is temporary: a dot-file or a name ending in {@code .part}, {@code .tmp} or
 * {@code .filepart}. Temporary names never get a marker. A connection that drops mid-upload leaves
 * no marker. While the marker exists the partner cannot overwrite, rename or remove the file; a
 * partner cannot create or remove {@code *.ready} names. A route therefore consumes complete files
 * only, exactly once, with Camel's standard done-file support:
 *
 * <pre>{@code
 * from:
 *   uri: file:{{caravan.sftp.root}}/dealer-nord/inbox
 *   parameters:
 *     doneFileName: "${file:name}.ready"   # required: only files with a marker are consumed
 *     move: .done                          # Camel deletes the marker when it commits or rolls back
 *     moveFailed: .failed
 * }</pre>
 * Keep the defaults {@code recursive=false}, {@code includeHiddenFiles=false} and
 * {@code readLock=none} (the marker already is the lock); do not set {@code noop} or
 * {@code delete=false} with {@code move} unset, since the marker must be removed on commit.
 * Done markers themselves are never consumed (Camel skips done files), and temporary names never
 * have one, so no {@code exclude} is needed.
 *
 * <h2>Security</h2>
 * Modern algorithms only ({@link #KEX}, {@link #CIPHERS}, {@link #MACS}, {@link #SIGNATURES}): no
 * SHA-1 key exchange, host-key signature or MAC, no CBC. MINA SSHD 2.12+ always offers and
 * enforces the strict key exchange extension ({@code kex-strict-s-v00@openssh.com}, the Terrapin
 * counter-measure) when the client offers it. The host key is Ed25519, generated once under
 * {@code hostKeyDir} (0700 directory, 0600 file) and kept. Failed authentications are counted per
 * address by {@link LoginBans}; a banned address is refused even with a correct key, other
 * addresses are unaffected. Every rejected key counts as one failure (a client that offers several
 * keys before the right one spends several; use {@code IdentitiesOnly=yes}); a successful login
 * clears its address's failures. A banned address can still connect and negotiate, but no
 * authentication succeeds. Bans are logged by address only; user names offered by a client that
 * failed are never logged, nor are keys.
 *
 * <h2>Wiring</h2>
 * {@link SftpGatewayConfiguration} creates it from {@code caravan.sftp.*} ({@link SftpProperties});
 * tests construct it directly. Once listening it puts {@code CARAVAN_SFTP_PORT} and, with demo
 * keys, {@code CARAVAN_SFTP_DEMO_PARTNERS} (comma-separated ids) into {@link LocalEnv}; with demo
 * keys each partner's key pair is {@code ${caravan.data-dir}/partners/<id>/id_ed25519} (+ {@code .pub}),
 * so {@code sftp -P $CARAVAN_SFTP_PORT -i data/partners/<id>/id_ed25519 <id>@localhost} works.
 * Meters: see {@link SftpMetrics}.
 *
 * <p>Not thread-safe for concurrent {@link #start()}/{@link #stop()}: the lifecycle calls them
 * one at a time. Everything else is thread-safe.
 */
public final class SftpGateway implements SmartLifecycle {

    /** Key exchanges offered, strongest first: hybrid post-quantum, then X25519, then NIST ECDH and large DH. */
    static final List<BuiltinDHFactories> KEX = List.of(
            BuiltinDHFactories.mlkem768x25519, BuiltinDHFactories.sntrup761x25519,
            BuiltinDHFactories.sntrup761x25519_openssh, BuiltinDHFactories.curve25519,
            BuiltinDHFactories.curve25519_libssh, BuiltinDHFactories.ecdhp521, BuiltinDHFactories.ecdhp384,
            BuiltinDHFactories.ecdhp256, BuiltinDHFactories.dhg18_512, BuiltinDHFactories.dhg16_512);

    /** AEAD and CTR ciphers only. */
    static final List<BuiltinCiphers> CIPHERS = List.of(
            BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes256gcm, BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes128ctr);

    /** Encrypt-then-MAC SHA-2 MACs only (unused with the AEAD ciphers). */
    static final List<BuiltinMacs> MACS = List.of(BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256etm);

    /** Host-key and user-key signatures: Ed25519, ECDSA, RSA with SHA-2; never ssh-rsa (SHA-1) or DSA. */
    static final List<BuiltinSignatures> SIGNATURES = List.of(
            BuiltinSignatures.ed25519, BuiltinSignatures.sk_ssh_ed25519, BuiltinSignatures.nistp521,
            BuiltinSignatures.nistp384, BuiltinSignatures.nistp256, BuiltinSignatures.sk_ecdsa_sha2_nistp256,
            BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256);

    /** Authentication requests one connection may make before it is closed (OpenSSH's MaxAuthTries is 6). */
    static final int MAX_AUTH_REQUESTS_PER_CONNECTION = 10;

    private static final Logger LOG = LoggerFactory.getLogger(SftpGateway.class);

    private final SftpGatewaySettings settings;
    private final LocalEnv localEnv;
    private final SftpMetrics metrics;
    private final LoginBans bans;
    private volatile SshServer server;
    private volatile Map<String, Partner> partners = Map.of();
    private volatile PublicKey hostKey;

    /**
     * @param settings the resolved settings
     * @param localEnv where to publish the port and demo partners, or {@code null}
     * @param meters   where to count logins and bans, or {@code null}
     * @param clock    the clock bans are measured with
     */
    SftpGateway(SftpGatewaySettings settings, LocalEnv localEnv, MeterRegistry meters, Clock clock) {
        this.settings = settings;
        this.localEnv = localEnv;
        this.metrics = new SftpMetrics(meters);
        this.bans = new LoginBans(settings.maxFailedLogins(), settings.failureWindow(), settings.banDuration(), clock);
    }

    /**
     * Loads and validates the partners, prepares their folders, keys and the host key, and listens.
     *
     * @throws ConfigException if the partners file is invalid
     * @throws UncheckedIOException   if a folder or key cannot be created or the port cannot be bound
     */
    @Override
    public void start() {
        if (server != null) {
            return;
        }
        try {
            Map<String, Partner> loaded = preparePartners();
            KeyPair host = KeyFiles.loadOrCreateEd25519(settings.hostKeyFile(), "caravan-sftp-host");
            SshServer sshd = newServer(loaded, host);
            sshd.start();
            this.partners = loaded;
            this.hostKey = host.getPublic();
            this.server = sshd;
        } catch (IOException e) {
            throw new UncheckedIOException("SFTP gateway cannot start: " + e.getMessage(), e);
        }
        LOG.info("SFTP gateway listening on {}:{} for {} partners; host key {}", settings.bindAddress(), port(),
                partners.size(), KeyUtils.getFingerPrint(hostKey));
        publishLocalEnv();
    }

    @Override
    public void stop() {
        SshServer running = server;
        server = null;
        if (running != null) {
            try {
                running.stop(true);
            } catch (IOException e) {
                LOG.warn("SFTP gateway did not stop cleanly ({})", e.getClass().getSimpleName());
            }
            LOG.info("SFTP gateway stopped");
        }
    }

    @Override
    public boolean isRunning() {
        SshServer running = server;
        return running != null && running.isStarted();
    }

    /** The port the gateway listens on (the real one when configured with 0); -1 when stopped. */
    public int port() {
        SshServer running = server;
        return running == null ? -1 : running.getPort();
    }

    /** The gateway's public host key; {@code null} before the first start. */
    public PublicKey hostKey() {
        return hostKey;
    }

    /** The partners loaded at the last start, by id, in file order. */
    Map<String, Partner> partners() {
        return partners;
    }

    private Map<String, Partner> preparePartners() throws IOException {
        Map<String, Partner> byId = new LinkedHashMap<>();
        for (Partner partner : PartnersFile.load(settings.partnersFile(), settings.partnersFile().toString())) {
            Path home = settings.root().resolve(partner.id());
            KeyFiles.createOwnerOnlyDirectories(home.resolve(JailedSftpAccessor.INBOX));
            KeyFiles.createOwnerOnlyDirectories(home.resolve(JailedSftpAccessor.OUTBOX));
            if (settings.demoKeys()) {
                KeyPair demo = KeyFiles.loadOrCreateEd25519(settings.demoKeyFile(partner.id()), partner.id() + "@caravan-demo");
                partner = partner.withKey(demo.getPublic());
            }
            if (partner.publicKeys().isEmpty()) {
                LOG.warn("SFTP partner {} has no public key and cannot log in", partner.id());
            }
            byId.put(partner.id(), partner);
        }
        return Collections.unmodifiableMap(byId);
    }

    private SshServer newServer(Map<String, Partner> accounts, KeyPair host) {
        SshServer sshd = ServerBuilder.builder()
                .keyExchangeFactories(NamedFactory.setUpTransformedFactories(false, KEX, ServerBuilder.DH2KEX))
                .cipherFactories(new ArrayList<NamedFactory<Cipher>>(CIPHERS))
                .macFactories(new ArrayList<NamedFactory<Mac>>(MACS))
                .signatureFactories(new ArrayList<NamedFactory<Signature>>(SIGNATURES))
                .publickeyAuthenticator(authenticator(accounts))
                .build();
        sshd.setHost(settings.bindAddress());
        sshd.setPort(settings.port());
        sshd.setKeyPairProvider(KeyPairProvider.wrap(host));
        sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE));
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setAgentFactory(null);
        CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, "Caravan");
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, MAX_AUTH_REQUESTS_PER_CONNECTION);
        CoreModuleProperties.AUTH_TIMEOUT.set(sshd, Duration.ofMinutes(1));
        CoreModuleProperties.IDLE_TIMEOUT.set(sshd, settings.idleTimeout());

        VirtualFileSystemFactory jails = new VirtualFileSystemFactory();
        accounts.keySet().forEach(id -> jails.setUserHomeDir(id, settings.root().resolve(id).toAbsolutePath()));
        sshd.setFileSystemFactory(jails);

        UploadCompletion uploads = new UploadCompletion();
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new JailedSftpAccessor(uploads))
                .build();
        sftp.addSftpEventListener(uploads);
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.addSessionListener(new LoginListener());
        return sshd;
    }

    private PublickeyAuthenticator authenticator(Map<String, Partner> accounts) {
        return (username, key, session) -> {
            String address = address(session);
            if (bans.isBanned(address)) {
                metrics.login(SftpMetrics.BANNED);
                return false;
            }
            Partner partner = accounts.get(username);
            if (partner != null && partner.publicKeys().stream().anyMatch(k -> KeyUtils.compareKeys(k, key))) {
                return true;
            }
            metrics.login(SftpMetrics.REJECTED);
            if (bans.recordFailure(address)) {
                metrics.ban();
                LOG.warn("SFTP address {} banned for {} after {} failed authentications", address,
                        settings.banDuration(), settings.maxFailedLogins());
            }
            return false;
        };
    }

    private void publishLocalEnv() {
        if (localEnv == null) {
            return;
        }
        localEnv.put("CARAVAN_SFTP_PORT", Integer.toString(port()));
        if (settings.demoKeys()) {
            localEnv.put("CARAVAN_SFTP_DEMO_PARTNERS", String.join(",", partners.keySet()));
        }
    }

    static String address(ServerSession session) {
        SocketAddress remote = session.getClientAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    /** Counts successful logins and clears the address's failures. */
    private final class LoginListener implements SessionListener {
        @Override
        public void sessionEvent(Session session, Event event) {
            if (event == Event.Authenticated && session instanceof ServerSession serverSession) {
                metrics.login(SftpMetrics.SUCCESS);
                bans.recordSuccess(address(serverSession));
                LOG.debug("SFTP partner {} logged in", serverSession.getUsername());
            }
        }
    }

    @Override
    public String toString() {
        return "SftpGateway[port=" + port() + ", partners=" + String.join(",", partners.keySet()) + "]";
    }
}
