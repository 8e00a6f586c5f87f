package io.caravan.exchange;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link SftpGateway} needs, resolved to paths and numbers; built by
 * {@link SftpGatewayConfiguration} from the {@code caravan.*} properties, or directly in tests.
 *
 * @param bindAddress     address to listen on ({@code 0.0.0.0} = all)
 * @param port            port to listen on; 0 picks a free one
 * @param root            SFTP root: partner {@code <id>} is jailed in {@code root/<id>}
 * @param hostKeyDir      where the host key is generated once and kept
 * @param partnersFile    the partners file
 * @param demoKeys        whether to generate and authorise a demo key pair per partner
 * @param demoKeysDir     where demo key pairs go: {@code demoKeysDir/<id>/id_ed25519}
 * @param maxFailedLogins failed authentications from one address within {@code failureWindow} that ban it
 * @param failureWindow   how far back failures count
 * @param banDuration     how long a ban lasts
 * @param idleTimeout     an idle session is closed after this long
 */
record SftpGatewaySettings(
        String bindAddress,
        int port,
        Path root,
        Path hostKeyDir,
        Path partnersFile,
        boolean demoKeys,
        Path demoKeysDir,
        int maxFailedLogins,
        Duration failureWindow,
        Duration banDuration,
        Duration idleTimeout) {

    static final int DEFAULT_PORT = 2222;
    static final int DEFAULT_MAX_FAILED_LOGINS = 5;
    static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(10);
    static final Duration DEFAULT_BAN_DURATION = Duration.ofMinutes(15);
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

    SftpGatewaySettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("caravan.sftp.gateway.port must be between 0 and 65535");
        }
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(hostKeyDir, "hostKeyDir");
        Objects.requireNonNull(partnersFile, "partnersFile");
        Objects.requireNonNull(demoKeysDir, "demoKeysDir");
        if (maxFailedLogins < 1) {
            throw new IllegalArgumentException("caravan.sftp.gateway.max-failed-logins must be at least 1");
        }
        requirePositive(failureWindow, "failure-window");
        requirePositive(banDuration, "ban-duration");
        requirePositive(idleTimeout, "idle-timeout");
    }

    /** The defaults for a data directory and a config directory (demo keys off). */
    static SftpGatewaySettings defaults(Path dataDir, Path configDir) {
        return new SftpGatewaySettings("0.0.0.0", DEFAULT_PORT, dataDir.resolve("sftp"), dataDir.resolve("sftp-host"),
                configDir.resolve("partners.yaml"), false, dataDir.resolve("partners"), DEFAULT_MAX_FAILED_LOGINS,
                DEFAULT_FAILURE_WINDOW, DEFAULT_BAN_DURATION, DEFAULT_IDLE_TIMEOUT);
    }

    SftpGatewaySettings withListen(String newBindAddress, int newPort) {
        return new SftpGatewaySettings(newBindAddress, newPort, root, hostKeyDir, partnersFile, demoKeys, demoKeysDir,
                maxFailedLogins, failureWindow, banDuration, idleTimeout);
    }

    SftpGatewaySettings withDemoKeys(boolean enabled) {
        return new SftpGatewaySettings(bindAddress, port, root, hostKeyDir, partnersFile, enabled, demoKeysDir,
                maxFailedLogins, failureWindow, banDuration, idleTimeout);
    }

    SftpGatewaySettings withBans(int newMaxFailedLogins, Duration newFailureWindow, Duration newBanDuration) {
        return new SftpGatewaySettings(bindAddress, port, root, hostKeyDir, partnersFile, demoKeys, demoKeysDir,
                newMaxFailedLogins, newFailureWindow, newBanDuration, idleTimeout);
    }

    /** The host key file (its public half is beside it, with {@code .pub}). */
    Path hostKeyFile() {
        return hostKeyDir.resolve("ssh_host_ed25519_key");
    }

    /** A partner's demo private key file. */
    Path demoKeyFile(String partnerId) {
        return demoKeysDir.resolve(partnerId).resolve("id_ed25519");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("caravan.sftp.gateway." + name + " must be positive");
        }
    }
}
