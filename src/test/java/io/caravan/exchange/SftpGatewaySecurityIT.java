package io.caravan.exchange;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.client.ClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Bans, algorithms and key handling of the gateway, against MINA's client and the OpenSSH client. */
class SftpGatewaySecurityIT {

    @TempDir
    Path dir;

    private GatewayFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void repeatedFailuresBanTheAddressEvenForTheRightKeyButNotOtherAddresses() throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers(), SftpGatewaySettings
                .defaults(dir.resolve("data"), dir.resolve("config")).withListen("127.0.0.1", 0).withDemoKeys(true)
                .withBans(3, Duration.ofMinutes(1), Duration.ofSeconds(3)));
        ListAppender<ILoggingEvent> logs = captureLogs();
        KeyPair right = fixture.demoKeyPair("dealer-nord");
        KeyPair wrong = KeyFiles.generateEd25519();

        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThatThrownBy(() -> fixture.login("dealer-nord", wrong, "127.0.0.1").close())
                    .as("attempt %d with a wrong key", attempt).isInstanceOf(Exception.class);
        }

        assertThatThrownBy(() -> fixture.login("dealer-nord", right, "127.0.0.1").close())
                .as("right key from the banned address").isInstanceOf(Exception.class);
        try (ClientSession other = fixture.login("dealer-nord", right, "127.0.0.2")) {
            assertThat(other.isAuthenticated()).as("right key from another address").isTrue();
        }
        assertThat(fixture.meters.counter("caravan.sftp.bans").count()).isEqualTo(1);
        assertThat(fixture.meters.counter("caravan.sftp.logins", "outcome", "banned").count()).isPositive();
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("127.0.0.1").contains("banned"))
                .allSatisfy(m -> assertThat(m).doesNotContain("dealer-nord"));

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .untilAsserted(() -> {
                    try (ClientSession again = fixture.login("dealer-nord", right, "127.0.0.1")) {
                        assertThat(again.isAuthenticated()).isTrue();
                    }
                });
    }

    static Stream<Arguments> weakClients() {
        return Stream.of(
                Arguments.of("ssh-rsa (SHA-1) host key signatures only",
                        (Consumer<SshClient>) c -> c.setSignatureFactories(List.of(BuiltinSignatures.rsa, BuiltinSignatures.dsa))),
                Arguments.of("CBC ciphers only",
                        (Consumer<SshClient>) c -> c.setCipherFactories(List.of(BuiltinCiphers.aes128cbc, BuiltinCiphers.aes256cbc, BuiltinCiphers.tripledescbc))),
                Arguments.of("hmac-sha1 MACs only", (Consumer<SshClient>) c -> {
                    c.setCipherFactories(List.of(BuiltinCiphers.aes128ctr));
                    c.setMacFactories(List.of(BuiltinMacs.hmacsha1, BuiltinMacs.hmacsha1etm));
                }),
                Arguments.of("SHA-1 key exchange only", (Consumer<SshClient>) c -> c.setKeyExchangeFactories(
                        NamedFactory.setUpTransformedFactories(false,
                                List.of(BuiltinDHFactories.dhg14, BuiltinDHFactories.dhg1, BuiltinDHFactories.dhgex),
                                ClientBuilder.DH2KEX))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weakClients")
    void clientOfferingOnlyWeakAlgorithmsIsRefused(String offer, Consumer<SshClient> weaken) throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());
        KeyPair right = fixture.demoKeyPair("dealer-nord");

        try (ClientSession control = fixture.login("dealer-nord", right, "127.0.0.1")) {
            assertThat(control.isAuthenticated()).as("default client").isTrue();
        }
        SshClient weak = SshClient.setUpDefaultClient();
        weaken.accept(weak);
        weak.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(key, fixture.gateway.hostKey()));
        weak.start();
        try {
            assertThatThrownBy(() -> {
                try (ClientSession session = weak.connect("dealer-nord",
                        new InetSocketAddress("127.0.0.1", fixture.gateway.port())).verify(GatewayFixture.TIMEOUT).getSession()) {
                    session.addPublicKeyIdentity(right);
                    session.auth().verify(GatewayFixture.TIMEOUT);
                }
            }).isInstanceOf(Exception.class);
        } finally {
            weak.stop();
        }
    }

    static Stream<Arguments> weakOpenSshOptions() {
        return Stream.of(
                Arguments.of(List.of("-o", "HostKeyAlgorithms=ssh-rsa,ssh-dss")),
                Arguments.of(List.of("-o", "Ciphers=aes128-cbc,aes256-cbc,3des-cbc")),
                Arguments.of(List.of("-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha1,hmac-sha1-etm@openssh.com")),
                Arguments.of(List.of("-o", "KexAlgorithms=diffie-hellman-group14-sha1,diffie-hellman-group1-sha1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("weakOpenSshOptions")
    void openSshClientRestrictedToWeakAlgorithmsIsRefused(List<String> options) throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());

        GatewayFixture.Result result = fixture.sftp("dealer-nord", fixture.demoKey("dealer-nord"), options, "ls").failed();

        assertThat(result.output()).containsIgnoringCase("no matching");
    }

    @Test
    void serverOffersStrictKeyExchangeToOpenSsh() throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());

        GatewayFixture.Result result = fixture.sftp("dealer-nord", fixture.demoKey("dealer-nord"), List.of("-vvv"), "ls")
                .succeeded();

        assertThat(result.output().lines().filter(l -> l.contains("KEX algorithms:")))
                .anySatisfy(l -> assertThat(l).contains("kex-strict-s-v00@openssh.com"));
    }

    @Test
    void hostKeyIsOwnerOnlyAndStableAcrossRestart() throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());
        var first = fixture.gateway.hostKey();
        Path hostKey = fixture.settings.hostKeyFile();
        fixture.close();

        SftpGateway restarted = new SftpGateway(fixture.settings, null, null, Clock.systemUTC());
        restarted.start();
        try {
            assertThat(KeyUtils.compareKeys(restarted.hostKey(), first)).isTrue();
            assertThat(KeyUtils.getKeyType(first)).isEqualTo("ssh-ed25519");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hostKey))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hostKey.getParent()))).isEqualTo("rwx------");
        } finally {
            restarted.stop();
            fixture = null;
        }
    }

    @Test
    void keyListedInThePartnersFileLogsInWithOpenSsh() throws Exception {
        Path key = dir.resolve("partner_key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@allsecura.example",
                "-f", key.toString()).redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        String line = Files.readString(Path.of(key + ".pub")).trim();
        fixture = new GatewayFixture(dir, """
                partners:
                  - { id: allsecura, name: AllSecura, publicKeys: ["%s"] }
                """.formatted(line), SftpGatewaySettings.defaults(dir.resolve("data"), dir.resolve("config"))
                .withListen("127.0.0.1", 0));

        fixture.sftp("allsecura", key, List.of(), "ls inbox").succeeded();
        assertThat(fixture.settings.demoKeyFile("allsecura")).doesNotExist();
    }

    @Test
    void invalidPartnersFileStopsTheStartNamingFileAndPath() throws IOException {
        assertThatThrownBy(() -> new GatewayFixture(dir, """
                partners:
                  - { id: Dealer Nord, name: Nord }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("partners.yaml: $.partners[0].id: ");
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(SftpGateway.class)).addAppender(appender);
        return appender;
    }
}
