package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pseudonymise.ConfiguredKeyFiles;
import io.caravan.pseudonymise.ConfiguredKeyRing;
import io.caravan.pseudonymise.KeyProperties;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.pseudonymise.Pseudonymisers;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code docker/compose.yaml}, {@code docker/env.example} and {@code docker/Dockerfile} give the
 * prod profile everything it refuses to start without. Read as YAML (SnakeYAML) and text, with no
 * Docker engine. What "required" means is taken from the application, not listed here: the
 * placeholders without a default in {@code application-prod.yaml}, and the keys that
 * {@link ConfiguredKeyRing} and the policies of {@code config/policies.yaml} ask for at start-up.
 */
class DockerComposeTest {
    private static final Path DOCKER = Path.of("docker");
    private static final Path SECRETS = DOCKER.resolve("secrets");
    private static final String MOUNTS = "/run/secrets/";
    /** A placeholder without a default: {@code ${CARAVAN_DB_URL}}, not {@code ${CARAVAN_VIEWER_USER:viewer}}. */
    private static final Pattern REQUIRED_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    /** Compose interpolation ({@code $$} escapes a dollar): name, then operator ({@code :-}, {@code :?}, ...) and word. */
    private static final Pattern INTERPOLATION = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z][A-Z0-9_]*)=(.*)");

    @Test
    void composeHandsCaravanEveryVariableTheProdProfileRequires() throws IOException {
        Map<String, Object> environment = map(service("caravan").get("environment"));
        Set<String> required = prodProfileVariables();

        assertThat(required).as("application-prod.yaml's placeholders without a default").contains("CARAVAN_DB_URL");
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(environment.keySet());
        assertThat(missing).as("required by application-prod.yaml, missing in the caravan service's environment").isEmpty();
    }

    @Test
    void composeRefusesToStartWithoutAVariableAndEnvExampleExplainsEachOne() throws IOException {
        Map<String, String> example = envExample();
        List<String> problems = new ArrayList<>();
        Matcher m = INTERPOLATION.matcher(read(DOCKER.resolve("compose.yaml")));
        while (m.find()) {
            String variable = m.group(1);
            if (!example.containsKey(variable)) {
                problems.add(m.group() + ": " + variable + " is not in env.example");
            }
            if (m.group(2) == null || m.group(2).equals("-")) {
                problems.add(m.group() + ": without a default, say what is missing: ${" + variable + ":?set " + variable + " in docker/.env}");
            }
        }
        assertThat(problems).isEmpty();

        List<String> lines = Files.readAllLines(DOCKER.resolve("env.example"));
        for (int i = 0; i < lines.size(); i++) {
            if (ASSIGNMENT.matcher(lines.get(i)).matches()) {
                assertThat(i > 0 && lines.get(i - 1).startsWith("#")).as("env.example, line %d: a comment says what %s is", i + 1,
                        lines.get(i)).isTrue();
            }
        }
        example.forEach((variable, value) -> {
            if (variable.endsWith("PASSWORD") || variable.endsWith("SECRET")) {
                assertThat(value).as("env.example's %s (no real secret in git)", variable).isEmpty();
            }
        });
    }

    @Test
    void prodOpensItsKeyRingFromTheFilesInitKeysCreatesMountedWhereItsSettingsPoint(@TempDir Path keyFiles) throws Exception {
        assertThat(read(DOCKER.resolve("init-keys.sh"))).contains(ConfiguredKeyFiles.class.getName());
        ConfiguredKeyFiles.main(new String[] {keyFiles.toString(), "config/policies.yaml"});
        Map<String, Object> caravan = service("caravan");
        Map<String, String> mounted = new LinkedHashMap<>();
        mounts(caravan).forEach((target, file) -> {
            Path created = keyFiles.resolve(SECRETS.relativize(DOCKER.resolve(file).normalize()));
            assertThat(created).as("secret file %s (mounted at %s) as docker/init-keys.sh creates it", file, target).exists();
            mounted.put(target, created.toString());
        });
        Map<String, Object> environment = containerEnvironment(caravan, mounted);

        try (ConfigurableApplicationContext context = start(environment)) {
            ConfigurableEnvironment resolved = context.getEnvironment();
            assertThat(resolved.getActiveProfiles()).containsExactly("prod");
            assertThat(unresolvedProdSettings(resolved)).isEmpty();

            KeyProperties keys = Binder.get(resolved).bindOrCreate("caravan.keys", KeyProperties.class);
            assertThat(keys.generate()).as("caravan.keys.generate: prod never generates keys").isNotEqualTo(Boolean.TRUE);
            KeyRing ring = ConfiguredKeyRing.from(keys);
            new Pseudonymisers(PolicyRegistry.load(Path.of("config/policies.yaml")), ring);
            assertThat(ring.identitySeal()).isNotNull();
            assertThat(ring.cipher()).isNotNull();
        }
    }

    @Test
    void everySecretAServiceMountsIsAFileInDockerSecretsMountedUnderRunSecrets() throws IOException {
        Map<String, Object> compose = compose();
        Map<String, Object> declared = map(compose.get("secrets"));
        for (Map.Entry<String, Object> service : map(compose.get("services")).entrySet()) {
            for (Object reference : list(map(service.getValue()).get("secrets"))) {
                String source = reference instanceof String name ? name : (String) map(reference).get("source");
                assertThat(declared).as("secret %s of service %s is declared at the top level", source, service.getKey())
                        .containsKey(source);
                Object file = map(declared.get(source)).get("file");
                assertThat(file).as("secret %s has a file", source).isInstanceOf(String.class);
                assertThat(DOCKER.resolve((String) file).normalize()).as("secret %s's file (kept out of git and the image)", source)
                        .startsWithRaw(SECRETS);
            }
        }
        assertThat(mounts(service("caravan"))).isNotEmpty().allSatisfy((target, file) -> assertThat(target).startsWith(MOUNTS));
    }

    @Test
    void caravanWaitsForAHealthyPostgresThatKeepsItsDataInAVolume() throws IOException {
        Map<String, Object> postgres = service("postgres");
        assertThat(map(postgres.get("healthcheck")).get("test")).asString().contains("pg_isready");
        assertThat(list(postgres.get("volumes"))).anySatisfy(v -> assertThat(v).asString().endsWith(":/var/lib/postgresql/data"));
        assertThat(map(compose().get("volumes"))).containsKey(
                String.valueOf(list(postgres.get("volumes")).get(0)).split(":")[0]);

        Map<String, Object> dependsOn = map(service("caravan").get("depends_on"));
        assertThat(map(dependsOn.get("postgres")).get("condition")).isEqualTo("service_healthy");
        assertThat(String.valueOf(map(service("caravan").get("environment")).get("CARAVAN_DB_URL")))
                .startsWith("jdbc:postgresql://postgres:5432/");
    }

    @Test
    void imageBuildsOnJava17AndRunsTheProdProfileOnAJava17Or21RuntimeAsNonRoot() throws IOException {
        List<Instruction> instructions = dockerfile();
        List<Instruction> stages = instructions.stream().filter(i -> i.is("FROM")).toList();
        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        assertThat(stages.get(0).arguments()).matches("maven:\\S*eclipse-temurin-17\\S* AS \\S+");
        assertThat(stages.get(stages.size() - 1).arguments()).matches("eclipse-temurin:(17|21)[.0-9_]*-jre(-[a-z]+)?");

        List<Instruction> runtime = instructions.subList(instructions.lastIndexOf(stages.get(stages.size() - 1)), instructions.size());
        List<String> users = runtime.stream().filter(i -> i.is("USER")).map(Instruction::arguments).toList();
        assertThat(users).as("USER of the runtime stage").isNotEmpty();
        assertThat(users.get(users.size() - 1)).doesNotMatch("root|0|0:.*|root:.*");
        assertThat(runtime).filteredOn(i -> i.is("ENV")).extracting(Instruction::arguments)
                .anySatisfy(env -> assertThat(env).containsPattern("(^|\\s)SPRING_PROFILES_ACTIVE=prod(\\s|$)"));
        assertThat(runtime).filteredOn(i -> i.is("COPY") && !i.arguments().startsWith("--from")).extracting(Instruction::arguments)
                .containsExactly("routes/ routes/", "connectors/ connectors/", "config/ config/");
    }

    @Test
    void imageExposesComposePublishesAndTheHealthcheckAsksTheHttpAndSftpPorts() throws IOException {
        String http = String.valueOf(yaml(Path.of("src/main/resources/application.yaml")).getProperty("server.port"));
        String sftp = String.valueOf(yaml(Path.of("config/application.yaml")).getProperty("caravan.sftp.gateway.port"));
        List<Instruction> instructions = dockerfile();

        assertThat(instructions).filteredOn(i -> i.is("EXPOSE")).extracting(Instruction::arguments)
                .anySatisfy(ports -> assertThat(ports.split("\\s+")).contains(http, sftp));
        assertThat(instructions).filteredOn(i -> i.is("HEALTHCHECK")).singleElement().extracting(Instruction::arguments)
                .asString().contains("CMD curl", "http://127.0.0.1:" + http + "/actuator/health");
        assertThat(list(service("caravan").get("ports"))).extracting(p -> String.valueOf(p).replaceAll(".*:", ""))
                .contains(http, sftp);
    }

    @Test
    void settingsAndKeyFilesStayOutOfGitAndOutOfTheImage() throws IOException {
        assertThat(Files.readAllLines(Path.of(".gitignore"))).contains("docker/.env", "docker/secrets/");
        assertThat(Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore"))).contains("docker/secrets/", "**/.env");
        assertThat(String.valueOf(service("caravan").get("env_file"))).isEqualTo(".env");
    }

    // ---- the prod profile's requirements ----

    private static Set<String> prodProfileVariables() throws IOException {
        EnumerablePropertySource<?> prod = yaml(Path.of("src/main/resources/application-prod.yaml"));
        Set<String> variables = new LinkedHashSet<>();
        for (String name : prod.getPropertyNames()) {
            Matcher m = REQUIRED_PLACEHOLDER.matcher(String.valueOf(prod.getProperty(name)));
            while (m.find()) {
                variables.add(m.group(1));
            }
        }
        return variables;
    }

    /** Every setting of application-prod.yaml that does not resolve, with the reason. */
    private static List<String> unresolvedProdSettings(ConfigurableEnvironment environment) {
        List<String> unresolved = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source.getName().contains("application-prod.yaml") && source instanceof EnumerablePropertySource<?> prod) {
                for (String name : prod.getPropertyNames()) {
                    try {
                        environment.getProperty(name);
                    } catch (IllegalArgumentException e) {
                        unresolved.add(name + ": " + e.getMessage());
                    }
                }
            }
        }
        return unresolved;
    }

    // ---- the container compose would start ----

    /**
     * The caravan container's environment: docker/.env (env.example filled in) passed on by
     * {@code env_file}, then the service's {@code environment} with its {@code ${...}} taken from
     * the same file, and the paths of mounted secrets replaced by the files they mount.
     */
    private static Map<String, Object> containerEnvironment(Map<String, Object> service, Map<String, String> mounted) throws IOException {
        Map<String, String> dotEnv = new LinkedHashMap<>();
        envExample().forEach((variable, value) -> dotEnv.put(variable, value.isEmpty() ? "filled-in-" + variable : value));
        Map<String, Object> environment = new LinkedHashMap<>(dotEnv);
        map(service.get("environment")).forEach((variable, value) -> {
            Matcher m = INTERPOLATION.matcher(String.valueOf(value));
            StringBuilder interpolated = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(interpolated, Matcher.quoteReplacement(dotEnv.getOrDefault(m.group(1), "")));
            }
            m.appendTail(interpolated);
            String resolved = interpolated.toString().replace("$$", "$");
            for (Map.Entry<String, String> mount : mounted.entrySet()) {
                resolved = resolved.replace(mount.getKey(), mount.getValue());
            }
            assertThat(resolved).as("%s reads a path no secret of the service mounts", variable).doesNotContain(MOUNTS);
            environment.put(variable, resolved);
        });
        return environment;
    }

    /** The container's target path of each secret of a service, with the file it comes from. */
    private static Map<String, String> mounts(Map<String, Object> service) throws IOException {
        Map<String, Object> declared = map(compose().get("secrets"));
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object reference : list(service.get("secrets"))) {
            String source = reference instanceof String name ? name : (String) map(reference).get("source");
            Object target = reference instanceof String ? null : map(reference).get("target");
            String path = target == null ? MOUNTS + source : target.toString().startsWith("/") ? target.toString() : MOUNTS + target;
            mounts.put(path, String.valueOf(map(declared.get(source)).get("file")));
        }
        return mounts;
    }

    /**
     * Spring Boot's own start-up of the configuration, with {@code environment} as the process
     * environment and no beans: profiles, application-prod.yaml, config/application.yaml and
     * {@code spring.config.import} as the application sees them.
     */
    private static ConfigurableApplicationContext start(Map<String, Object> environment) {
        StandardEnvironment container = new StandardEnvironment();
        container.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        SpringApplication application = new SpringApplication(NoBeans.class);
        application.setEnvironment(container);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        return application.run();
    }

    @Configuration(proxyBeanMethods = false)
    static class NoBeans {
    }

    // ---- reading the files ----

    private static Map<String, Object> compose() throws IOException {
        try (Reader reader = Files.newBufferedReader(DOCKER.resolve("compose.yaml"))) {
            return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(reader));
        }
    }

    private static Map<String, Object> service(String name) throws IOException {
        Map<String, Object> services = map(compose().get("services"));
        assertThat(services).as("compose services").containsKey(name);
        return map(services.get(name));
    }

    /** docker/env.example's variables and their values (quotes removed). */
    private static Map<String, String> envExample() throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCKER.resolve("env.example"))) {
            Matcher m = ASSIGNMENT.matcher(line);
            if (m.matches()) {
                variables.put(m.group(1), m.group(2).strip().replaceAll("^'(.*)'$", "$1"));
            }
        }
        return variables;
    }

    private static EnumerablePropertySource<?> yaml(Path file) throws IOException {
        List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        return (EnumerablePropertySource<?>) documents.get(0);
    }

    /** One Dockerfile instruction: its keyword (upper case) and the rest, continuation lines joined. */
    record Instruction(String keyword, String arguments) {
        boolean is(String name) {
            return keyword.equals(name);
        }
    }

    private static List<Instruction> dockerfile() throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String text = line.strip();
            if (text.startsWith("#") || (text.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = text.endsWith("\\");
            current.append(continues ? text.substring(0, text.length() - 1) : text).append(' ');
            if (!continues) {
                String[] parts = current.toString().strip().split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : ""));
                current.setLength(0);
            }
        }
        return instructions;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
