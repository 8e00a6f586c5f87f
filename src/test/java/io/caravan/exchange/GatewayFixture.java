package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.platform.LocalEnv;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * A real gateway on a random loopback port over a temporary data directory, with two demo partners
 * ({@code dealer-nord}, {@code dealer-sued}) and clients to reach it: the OpenSSH {@code sftp} binary
 * in batch mode and MINA's own {@link SshClient}.
 */
final class GatewayFixture implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    final Path dataDir;
    final Path configDir;
    final Path knownHosts;
    final SftpGatewaySettings settings;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Map<String, String> localEnv = new ConcurrentHashMap<>();
    final SftpGateway gateway;
    private SshClient client;

    GatewayFixture(Path dir, String partnersYaml, SftpGatewaySettings... override) throws IOException {
        this.dataDir = dir.resolve("data");
        this.configDir = dir.resolve("config");
        Files.createDirectories(configDir);
        Files.writeString(configDir.resolve("partners.yaml"), partnersYaml);
        this.settings = override.length > 0 ? override[0]
                : SftpGatewaySettings.defaults(dataDir, configDir).withListen("127.0.0.1", 0).withDemoKeys(true);
        LocalEnv env = localEnv::put;
        this.gateway = new SftpGateway(settings, env, meters, Clock.systemUTC());
        gateway.start();
        this.knownHosts = dir.resolve("known_hosts");
        writeKnownHosts();
    }

    static String twoDealers() {
        return """
                partners:
                  - { id: dealer-nord, name: Autohaus Nord, routes: [dealer-nord-sales] }
                  - { id: dealer-sued, name: Autohaus Sued, routes: [dealer-sued-sales] }
                """;
    }

    /** known_hosts with the host key as the gateway wrote it to disk. */
    void writeKnownHosts() throws IOException {
        String pub = Files.readString(KeyFiles.publicKeyFile(settings.hostKeyFile())).trim();
        Files.writeString(knownHosts, "[127.0.0.1]:" + gateway.port() + " " + pub + "\n");
    }

    Path home(String partner) {
        return settings.root().resolve(partner);
    }

    Path demoKey(String partner) {
        return settings.demoKeyFile(partner);
    }

    /** Runs {@code sftp -b} with {@code commands} as {@code partner}, with its demo key. */
    Result sftp(String partner, String... commands) {
        return sftp(partner, demoKey(partner), List.of(), commands);
    }

    Result sftp(String partner, Path key, List<String> extraOptions, String... commands) {
        try {
            Path batch = Files.createTempFile(dataDir.getParent(), "batch", ".txt");
            Files.writeString(batch, String.join("\n", commands) + "\n");
            List<String> command = new ArrayList<>(List.of("sftp", "-b", batch.toString(), "-P",
                    Integer.toString(gateway.port()), "-i", key.toString(), "-F", "/dev/null",
                    "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                    "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                    "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"));
            command.addAll(extraOptions);
            command.add(partner + "@127.0.0.1");
            Process process = new ProcessBuilder(command).directory(dataDir.getParent().toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("sftp did not finish");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A MINA client session authenticated as {@code partner} with {@code key}, from {@code localAddress}. */
    ClientSession login(String partner, KeyPair key, String localAddress) throws IOException {
        ClientSession session = client().connect(partner, new InetSocketAddress("127.0.0.1", gateway.port()),
                new InetSocketAddress(localAddress, 0)).verify(TIMEOUT).getSession();
        try {
            session.addPublicKeyIdentity(key);
            session.auth().verify(TIMEOUT);
            return session;
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    KeyPair demoKeyPair(String partner) throws IOException {
        return KeyFiles.load(demoKey(partner));
    }

    synchronized SshClient client() {
        if (client == null) {
            client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(key, gateway.hostKey()));
            client.start();
        }
        return client;
    }

    /** SHA-256 of every file under {@code dir}, by relative path (symbolic links as their target text). */
    static Map<String, String> hashTree(Path dir) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    hashes.put(name, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    hashes.put(name, sha256(Files.readAllBytes(p)));
                } else {
                    hashes.put(name + "/", "dir");
                }
            }
        }
        return hashes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.stop();
        }
        gateway.stop();
    }

    /** What {@code sftp -b} did: its exit code and its merged output. */
    record Result(int exitCode, String output) {
        Result succeeded() {
            assertThat(exitCode).as("sftp exit code; output:%n%s", output).isZero();
            return this;
        }

        Result failed() {
            assertThat(exitCode).as("sftp exit code; output:%n%s", output).isNotZero();
            return this;
        }
    }
}
