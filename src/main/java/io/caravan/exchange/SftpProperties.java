package io.caravan.exchange;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code caravan.sftp.*}. {@code root} and {@code partners-file} default (when unset) to
 * {@code ${caravan.data-dir}/sftp} and {@code ${caravan.config-dir}/partners.yaml}; see
 * {@link SftpGatewayConfiguration}.
 *
 * @param root         SFTP root holding one folder per partner
 * @param partnersFile the partners file
 * @param gateway      the hosted gateway
 */
@ConfigurationProperties("caravan.sftp")
record SftpProperties(Path root, Path partnersFile, @DefaultValue Gateway gateway) {

    /**
     * {@code caravan.sftp.gateway.*}.
     *
     * @param enabled         whether the gateway runs (default true)
     * @param bindAddress     address to listen on (default all)
     * @param port            port (default 2222; 0 = any free port)
     * @param demoKeys        generate and authorise a demo key pair per partner (default false;
     *                        the embedded default turns it on)
     * @param maxFailedLogins failed authentications from one address that ban it (default 5)
     * @param failureWindow   how far back failures count (default 10m)
     * @param banDuration     how long a ban lasts (default 15m)
     * @param idleTimeout     idle sessions are closed after (default 10m)
     */
    record Gateway(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("0.0.0.0") String bindAddress,
            @DefaultValue("2222") int port,
            @DefaultValue("false") boolean demoKeys,
            @DefaultValue("5") int maxFailedLogins,
            @DefaultValue("10m") Duration failureWindow,
            @DefaultValue("15m") Duration banDuration,
            @DefaultValue("10m") Duration idleTimeout) {
    }

    /** The settings for the gateway, with unset paths resolved against the data and config directories. */
    SftpGatewaySettings toSettings(Path dataDir, Path configDir) {
        SftpGatewaySettings defaults = SftpGatewaySettings.defaults(dataDir, configDir);
        return new SftpGatewaySettings(gateway.bindAddress(), gateway.port(), root == null ? defaults.root() : root,
                defaults.hostKeyDir(), partnersFile == null ? defaults.partnersFile() : partnersFile,
                gateway.demoKeys(), defaults.demoKeysDir(), gateway.maxFailedLogins(), gateway.failureWindow(),
                gateway.banDuration(), gateway.idleTimeout());
    }
}
