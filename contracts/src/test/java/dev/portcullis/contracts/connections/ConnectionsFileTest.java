package dev.portcullis.contracts.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.contracts.connections.ConnectionFixtures.Fixture;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionsFileTest {

    /** A reader as the services build theirs: YAML into plain maps, duplicate keys rejected. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static ConnectionsFile.Result read(String yaml) throws IOException {
        return ConnectionsFile.validate(YAML.readValue(yaml, Object.class));
    }

    static Map<String, Connection> connections(String fixture) throws IOException {
        return read(ConnectionFixtures.load(fixture).yaml()).orThrow();
    }

    static List<Fixture> valid() {
        return ConnectionFixtures.valid();
    }

    static List<Fixture> invalid() {
        return ConnectionFixtures.invalid();
    }

    @ParameterizedTest
    @MethodSource("valid")
    void validFilesAreAcceptedWithTheConnectionsTheyDeclare(Fixture f) throws IOException {
        ConnectionsFile.Result r = read(f.yaml());
        assertThat(r.errors()).isEmpty();
        assertThat(r.connections().keySet()).containsExactlyElementsOf(f.connections());
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidFilesAreRejectedWithEveryExpectedError(Fixture f) {
        assertThat(f.errors()).as("a fixture states its errors").isNotEmpty();
        List<String> reported;
        try {
            ConnectionsFile.Result r = read(f.yaml());
            assertThat(r.valid()).isFalse();
            assertThat(r.connections()).as("a file is used whole or not at all").isEmpty();
            reported = r.errors().stream().map(ConnectionError::toString).toList();
            assertThatThrownBy(r::orThrow)
                    .isInstanceOf(InvalidConnectionsFileException.class)
                    .hasMessageContainingAll(f.errors().toArray(String[]::new));
        } catch (IOException e) {
            // the parser's own errors (a duplicate key) come before the validation
            reported = List.of(e.getMessage());
            assertThat(e.getMessage()).contains(f.errors());
            return;
        }
        assertThat(reported).containsExactlyElementsOf(f.errors());
    }

    @Test
    void theFixtureListIsEveryFileInTheFixtureDirectories() throws IOException, URISyntaxException {
        Path root = Path.of(
                getClass().getClassLoader().getResource(ConnectionFixtures.ROOT).toURI());
        try (Stream<Path> files = Files.walk(root)) {
            List<String> onDisk = files.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
            assertThat(onDisk)
                    .containsExactlyInAnyOrderElementsOf(
                            Stream.concat(ConnectionFixtures.VALID.stream(), ConnectionFixtures.INVALID.stream())
                                    .toList());
        }
    }

    @Test
    void theDesignExampleReadsAsOneCredentialsBlockForEveryLevel() throws IOException {
        Connection c = connections("valid/single-credentials.yaml").get("pg-prod");
        assertThat(c.type()).isEqualTo(ConnectionType.POSTGRES);
        assertThat(c.address()).isEqualTo("db.internal:5432");
        assertThat(c.database()).isEqualTo("app");
        assertThat(c.accessLevels()).containsExactly(AccessLevel.READ, AccessLevel.WRITE, AccessLevel.ADMIN);
        assertThat(c.tags()).isEqualTo(Map.of("env", "prod"));
        assertThat(c.maxSessionDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(c.tls()).isNull();
        assertThat(c.knownHosts()).isNull();
        Credentials read = c.credentials(AccessLevel.READ).orElseThrow();
        assertThat(read.username()).isEqualTo("app_rw");
        assertThat(read.passwordFile()).isEqualTo("/var/run/secrets/pg-prod/password");
        assertThat(c.credentials(AccessLevel.WRITE)).containsSame(read);
        assertThat(c.credentials(AccessLevel.ADMIN)).containsSame(read);
        assertThat(c.credentialsPerLevel()).isFalse();
    }

    @Test
    void credentialsPerLevelGoToTheirLevelOnly() throws IOException {
        Map<String, Connection> all = connections("valid/per-level-credentials.yaml");
        Connection pg = all.get("pg-prod");
        assertThat(pg.credentials(AccessLevel.READ).orElseThrow().username()).isEqualTo("app_ro");
        assertThat(pg.credentials(AccessLevel.WRITE).orElseThrow().username()).isEqualTo("app_rw");
        assertThat(pg.credentials(AccessLevel.ADMIN)).isEmpty();
        assertThat(pg.offers(AccessLevel.ADMIN)).isFalse();
        assertThat(pg.credentialsPerLevel()).isTrue();
        Connection ssh = all.get("ssh-prod");
        assertThat(ssh.accessLevels())
                .as("the order of privilege, whatever the file's order")
                .containsExactly(AccessLevel.READ, AccessLevel.ADMIN);
        assertThat(ssh.credentials(AccessLevel.READ).orElseThrow().privateKeyFile())
                .isEqualTo("/var/run/secrets/ssh-prod/viewer_ed25519");
        assertThat(ssh.credentials(AccessLevel.ADMIN).orElseThrow().passwordEnv())
                .isEqualTo("SSH_PROD_ROOT_PASSWORD");
        assertThat(ssh.credentials(AccessLevel.WRITE)).isEmpty();
    }

    @Test
    void sessionLimitsAreReadAndTheMissingOnesComeFromTheDefaults() throws IOException {
        Map<String, Connection> all = connections("valid/session-limits.yaml");
        SessionLimits prod = all.get("pg-prod").sessionLimits();
        assertThat(prod)
                .isEqualTo(new SessionLimits(
                        Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofSeconds(5), 512L * 1024));
        SessionLimits defaults =
                new SessionLimits(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(10), 1024L * 1024);
        assertThat(all.get("pg-batch").sessionLimits().orElse(defaults))
                .as("only statementTimeout is the connection's own")
                .isEqualTo(new SessionLimits(
                        Duration.ofHours(1), Duration.ofSeconds(60), Duration.ofSeconds(10), 1024L * 1024));
        assertThat(connections("valid/per-level-credentials.yaml")
                        .get("pg-prod")
                        .sessionLimits())
                .as("no block: every limit is the proxy's default")
                .isEqualTo(SessionLimits.NONE);
        assertThat(SessionLimits.NONE.orElse(defaults)).isEqualTo(defaults);
    }

    @Test
    void backendAuthIsScramOnlyUnlessTheFileAllowsMore() throws IOException {
        Map<String, Connection> all = connections("valid/backend-auth.yaml");
        assertThat(all.get("pg-legacy").backendAuth())
                .containsExactlyInAnyOrder(BackendAuth.SCRAM_SHA_256, BackendAuth.MD5);
        assertThat(all.get("pg-prod").backendAuth()).as("the default").containsExactly(BackendAuth.SCRAM_SHA_256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1kB=1", "64kB=64", "512MB=524288", "1GB=1048576", " 2 GB =2097152", "1TB=1073741824"})
    void sizesReadAsPostgreSqlWritesThem(String pair) {
        String[] p = pair.split("=");
        long kb = Long.parseLong(p[1]);
        assertThat(SessionLimits.parseSize(p[0])).contains(kb);
        assertThat(SessionLimits.parseSize(SessionLimits.formatSize(kb))).contains(kb);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GB", "0GB", "-1GB", "1gb", "1 kb", "1.5GB", "1G", "1", "2048TB", "99999999999999kB"})
    void otherSizesAreNot(String size) {
        assertThat(SessionLimits.parseSize(size)).isEmpty();
    }

    @Test
    void everyTypeKeepsItsOptionalFields() throws IOException {
        Map<String, Connection> all = connections("valid/every-type.yaml");
        Connection pg = all.get("pg-dev");
        assertThat(pg.address()).isEqualTo("[::1]:5433");
        assertThat(pg.tls()).isEqualTo(new Tls(Tls.Mode.REQUIRE, "/etc/portcullis/ca/pg-dev.crt", "db-dev.internal"));
        assertThat(pg.tls().required()).isTrue();
        assertThat(pg.tags())
                .as("scalar tag values read as text")
                .isEqualTo(Map.of("env", "dev", "tier", "2", "pii", "false"));
        assertThat(pg.maxSessionDuration()).isNull();
        Connection ssh = all.get("ssh-bastion");
        assertThat(ssh.type()).isEqualTo(ConnectionType.SSH);
        assertThat(ssh.knownHosts()).isEqualTo("/var/run/secrets/bastion/known_hosts");
        assertThat(ssh.maxSessionDuration()).isEqualTo(Duration.ofDays(1));
        Connection k8s = all.get("k8s-prod");
        assertThat(k8s.type()).isEqualTo(ConnectionType.KUBERNETES);
        assertThat(k8s.tls().mode()).isNull();
        assertThat(k8s.tls().serverName()).isEqualTo("kubernetes.default.svc");
        assertThat(k8s.credentials(AccessLevel.WRITE).orElseThrow().tokenFile())
                .isEqualTo("/var/run/secrets/k8s-prod/token");
        assertThat(all.get("k8s-mtls")
                        .credentials(AccessLevel.READ)
                        .orElseThrow()
                        .clientKeyFile())
                .isEqualTo("/var/run/secrets/k8s/client.key");
        assertThat(all.get("wiki").type()).isEqualTo(ConnectionType.HTTP);
        assertThat(all.get("status-page").credentials()).isEmpty();
        assertThat(all.get("status-page").tags()).isEmpty();
    }

    @Test
    void anEmptyConnectionsKeyDeclaresNoConnectionButAnEmptyDocumentIsAnError() throws IOException {
        assertThat(read("connections:\n").orThrow()).isEmpty();
        assertThat(read("connections: {}\n").orThrow()).isEmpty();
        assertThat(ConnectionsFile.validate(null).errors())
                .extracting(ConnectionError::toString)
                .containsExactly("the file is empty; 'connections: {}' declares no connection");
        assertThat(read("[]").errors())
                .extracting(ConnectionError::toString)
                .containsExactly("the file must be a map with the key 'connections'");
    }

    @Test
    void approversAreGroupNamesAndOptional() throws IOException {
        String base =
                "connections: { pg-prod: { type: postgres, address: 'db:5432', database: app, accessLevels: [read],"
                        + " credentials: { username: app, passwordFile: /p }%s } }";
        assertThat(read(base.formatted("")).orThrow().get("pg-prod").approvers())
                .isEmpty();
        assertThat(read(base.formatted(", approvers: [dba-oncall, 'Platform Team', dba-oncall]"))
                        .orThrow()
                        .get("pg-prod")
                        .approvers())
                .containsExactly("dba-oncall", "Platform Team");
        for (String bad : List.of("[]", "dba", "[/dba]", "['']", "[{ a: b }]", "[\"a\\u0007b\"]")) {
            assertThat(read(base.formatted(", approvers: " + bad)).errors())
                    .as(bad)
                    .extracting(ConnectionError::toString)
                    .singleElement()
                    .asString()
                    .startsWith("connections.pg-prod.approvers: ");
        }
    }

    @Test
    void toStringNeverShowsWhereSecretsAre() throws IOException {
        Connection c = connections("valid/per-level-credentials.yaml").get("ssh-prod");
        assertThat(c.credentials(AccessLevel.ADMIN).orElseThrow().toString())
                .isEqualTo("Credentials[username=root, password from the environment]");
        assertThat(c.toString()).doesNotContain("viewer_ed25519", "SSH_PROD_ROOT_PASSWORD");
    }

    @Test
    void anInlineSecretIsRejectedWithoutQuotingIt() throws IOException {
        ConnectionsFile.Result r =
                read(ConnectionFixtures.load("invalid/inline-secret.yaml").yaml());
        assertThat(r.errors()).hasSize(2);
        assertThat(r.errors().toString()).doesNotContain("hunter2", "eyJ");
        ConnectionsFile.Result url =
                read("connections: { web: { type: http, address: 'https://me:hunter2@h/', accessLevels: [read] } }");
        assertThat(url.errors().toString()).contains("connections.web.address").doesNotContain("hunter2");
        ConnectionsFile.Result hostPort =
                read("connections: { web: { type: http, address: 'me:hunter2@h:80', accessLevels: [read] } }");
        assertThat(hostPort.errors().toString())
                .contains("connections.web.address")
                .doesNotContain("hunter2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "pg-prod",
                "pg-demo",
                "pg-test",
                "pg-dev",
                "pg-short",
                "pg-other",
                "ssh-test",
                "ssh-bastion",
                "ssh-prod",
                "ssh-short",
                "k8s-test",
                "k8s-prod",
                "k8s-demo",
                "web-demo",
                "a",
                "0",
                "a--b",
                "a23456789012345678901234567890123456789012345678901234567890123"
            })
    void todaysNamesAndDnsLabelsAreValidNames(String name) {
        assertThat(ConnectionsFile.isValidName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "-pg",
                "pg-",
                "Pg",
                "pg_prod",
                "pg.prod",
                "pg:prod",
                "pg@prod",
                "pg/prod",
                "pg prod",
                "pé",
                "a234567890123456789012345678901234567890123456789012345678901234"
            })
    void otherNamesAreNot(String name) {
        assertThat(ConnectionsFile.isValidName(name)).isFalse();
    }

    @Test
    void theExceptionNamesEveryError() throws IOException {
        Fixture f = ConnectionFixtures.load("invalid/missing-access-levels.yaml");
        assertThatThrownBy(() -> read(f.yaml()).orThrow())
                .isInstanceOf(InvalidConnectionsFileException.class)
                .hasMessageStartingWith("3 errors: connections.pg-prod.accessLevels: missing")
                .satisfies(e -> assertThat(((InvalidConnectionsFileException) e).errors())
                        .extracting(ConnectionError::connection)
                        .containsExactly("pg-prod", "pg-dev", "pg-test"));
    }
}
