package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.platform.LocalEnv;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Spring wiring of the gateway: properties, defaults derived from the data and config directories, the switch. */
class SftpGatewayConfigurationIT {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(SftpGatewayConfiguration.class);

    @Test
    void startsFromPropertiesWithPathsUnderDataAndConfigDirAndPublishesThePort() throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/partners.yaml"), GatewayFixture.twoDealers());
        Map<String, String> env = new ConcurrentHashMap<>();

        runner.withBean(LocalEnv.class, () -> env::put)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("caravan.data-dir=" + dir.resolve("data"), "caravan.config-dir=" + dir.resolve("config"),
                        "caravan.sftp.gateway.port=0", "caravan.sftp.gateway.bind-address=127.0.0.1",
                        "caravan.sftp.gateway.demo-keys=true", "caravan.sftp.gateway.ban-duration=30s")
                .run(context -> {
                    SftpGateway gateway = context.getBean(SftpGateway.class);
                    assertThat(gateway.isRunning()).isTrue();
                    assertThat(gateway.port()).isPositive();
                    assertThat(dir.resolve("data/sftp/dealer-nord/inbox")).isDirectory();
                    assertThat(dir.resolve("data/sftp/dealer-sued/outbox")).isDirectory();
                    assertThat(dir.resolve("data/sftp-host/ssh_host_ed25519_key")).exists();
                    assertThat(dir.resolve("data/partners/dealer-nord/id_ed25519")).exists();
                    assertThat(env).containsEntry("CARAVAN_SFTP_PORT", Integer.toString(gateway.port()))
                            .containsEntry("CARAVAN_SFTP_DEMO_PARTNERS", "dealer-nord,dealer-sued");
                    assertThat(context.getBean(MeterRegistry.class).find("caravan.sftp.bans").counter()).isNotNull();
                });
    }

    @Test
    void explicitRootAndPartnersFileWin() throws IOException {
        Path partners = dir.resolve("elsewhere/partners.yaml");
        Files.createDirectories(partners.getParent());
        Files.writeString(partners, GatewayFixture.twoDealers());

        runner.withPropertyValues("caravan.data-dir=" + dir.resolve("data"), "caravan.sftp.root=" + dir.resolve("exchange"),
                        "caravan.sftp.partners-file=" + partners, "caravan.sftp.gateway.port=0",
                        "caravan.sftp.gateway.bind-address=127.0.0.1")
                .run(context -> {
                    assertThat(context).hasSingleBean(SftpGateway.class);
                    assertThat(dir.resolve("exchange/dealer-nord/inbox")).isDirectory();
                    assertThat(dir.resolve("data/partners")).doesNotExist();
                });
    }

    @Test
    void disabledGatewayIsNotCreated() {
        runner.withPropertyValues("caravan.sftp.gateway.enabled=false", "caravan.config-dir=" + dir.resolve("absent"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SftpGateway.class));
    }

    @Test
    void invalidPropertyFailsTheStartNamingTheProperty() throws IOException {
        Files.writeString(dir.resolve("partners.yaml"), GatewayFixture.twoDealers());

        runner.withPropertyValues("caravan.sftp.gateway.max-failed-logins=0", "caravan.config-dir=" + dir,
                        "caravan.data-dir=" + dir.resolve("data"), "caravan.sftp.gateway.port=0")
                .run(context -> assertThat(context).getFailure()
                        .hasRootCauseMessage("caravan.sftp.gateway.max-failed-logins must be at least 1"));
    }
}
