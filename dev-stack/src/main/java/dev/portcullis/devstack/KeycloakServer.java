package dev.portcullis.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Keycloak from the {@code org.keycloak:keycloak-quarkus-dist} zip, run on a JDK 21+ with the
 * {@code portcullis} realm imported from keycloak-realm/. The distribution is unpacked once per
 * database flavour into a cache directory (Keycloak re-augments itself when its build options
 * change, so the in-memory test flavour and the PostgreSQL-backed `up` flavour get their own copy).
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "portcullis";
    private static final String REALM_RESOURCE = "/keycloak-realm/portcullis-realm.json";
    /**
     * The {@code demo-agent} client the services' own tests use: they run without an identity-broker,
     * so nothing could register it. `up` and the journey suite leave it out and register demo-agent
     * through the broker, as every real agent is.
     */
    private static final String TEST_AGENT_RESOURCE = "/keycloak-realm/test-demo-agent.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** Where Keycloak keeps its data: in memory (tests) or in a PostgreSQL database (`up`). */
    public record Database(String jdbcUrl, String username, String password) {
        public static final Database IN_MEMORY = new Database(null, null, null);

        boolean inMemory() {
            return jdbcUrl == null;
        }

        @Override
        public String toString() {
            return inMemory() ? "dev-mem" : jdbcUrl + " as " + username; // never the password
        }
    }

    private final ChildProcess process;
    private final int port;

    private KeycloakServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts Keycloak. The ports are asked for only once this start holds the distribution's lock:
     * another run's start may hold it for a minute or more, and a port found free before that wait
     * can be taken by the time Keycloak binds it (seen with several suites on one machine).
     *
     * @param withTestAgent whether the imported realm gets the tests' {@code demo-agent} client
     */
    public static KeycloakServer start(
            Path cacheDir,
            IntSupplier portChoice,
            IntSupplier managementPortChoice,
            Database db,
            Path javaHome,
            String bootstrapAdminPassword,
            Path logFile,
            Path pidFile,
            Duration timeout,
            boolean withTestAgent) {
        String flavour = db.inMemory() ? "dev-mem" : "postgres";
        Path home = cacheDir.resolve("keycloak-" + Artifacts.version("keycloak") + "-" + flavour);
        try {
            Files.createDirectories(cacheDir);
            // One start at a time per distribution copy: the first start augments (writes lib/quarkus).
            try (FileChannel channel =
                    new RandomAccessFile(cacheDir.resolve(flavour + ".lock").toFile(), "rw").getChannel()) {
                channel.lock(); // held until the channel closes at the end of this block
                unpackOnce(Artifacts.keycloakZip(), home);
                installRealm(home, withTestAgent);
                int port = portChoice.getAsInt();
                int managementPort = managementPortChoice.getAsInt();
                List<String> cmd = new ArrayList<>(List.of(
                        home.resolve("bin/kc.sh").toString(),
                        "start-dev",
                        "--http-host=127.0.0.1",
                        "--http-port=" + port,
                        "--http-management-port=" + managementPort,
                        "--health-enabled=true",
                        "--hostname=http://127.0.0.1:" + port,
                        "--import-realm",
                        "--cache=local"));
                Map<String, String> env = new HashMap<>();
                env.put("JAVA_HOME", javaHome.toString());
                env.put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx768m");
                env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
                env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", bootstrapAdminPassword);
                if (db.inMemory()) {
                    cmd.add("--db=dev-mem");
                } else {
                    cmd.add("--db=postgres");
                    env.put("KC_DB_URL", db.jdbcUrl());
                    env.put("KC_DB_USERNAME", db.username());
                    env.put("KC_DB_PASSWORD", db.password());
                }
                ChildProcess kc = ChildProcess.start("keycloak", cmd, env, home, logFile, pidFile);
                KeycloakServer server = new KeycloakServer(kc, port);
                Readiness.await("Keycloak on port " + port, kc, port, timeout, server::probe);
                return server;
            }
        } catch (IOException e) {
            throw new DevStackException("could not prepare Keycloak in " + home + ": " + e.getMessage(), e);
        }
    }

    private static void unpackOnce(Path zip, Path home) throws IOException {
        Path done = home.resolve(".portcullis-unpacked");
        if (Files.exists(done)) {
            return;
        }
        Path staging = Files.createTempDirectory(home.getParent(), "unpack-");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                // strip the top-level keycloak-<version>/ folder; refuse entries escaping the target
                String name = e.getName().substring(e.getName().indexOf('/') + 1);
                Path target = staging.resolve(name).normalize();
                if (!target.startsWith(staging) || name.isEmpty()) {
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    if (name.startsWith("bin/") && name.endsWith(".sh")) {
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
            }
        }
        deleteTree(home);
        Files.move(staging, home);
        Files.writeString(done, zip.toString());
    }

    private static void installRealm(Path home, boolean withTestAgent) throws IOException {
        Path importDir = home.resolve("data/import");
        Files.createDirectories(importDir);
        ObjectNode realm = (ObjectNode) JSON.readTree(resource(REALM_RESOURCE));
        if (withTestAgent) {
            JsonNode agent = JSON.readTree(resource(TEST_AGENT_RESOURCE));
            for (String list : List.of("clients", "users")) {
                ((ArrayNode) realm.get(list)).addAll((ArrayNode) agent.get(list));
            }
        }
        JSON.writeValue(importDir.resolve("portcullis-realm.json").toFile(), realm);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KeycloakServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new DevStackException("the realm file " + name + " is missing from the dev-stack jar;"
                        + " it is copied from keycloak-realm/ when dev-stack is built");
            }
            return in.readAllBytes();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String issuer() {
        return issuer(url());
    }

    static String issuer(String keycloakUrl) {
        return keycloakUrl + "/realms/" + REALM;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Readiness: the realm's OpenID discovery document, with the issuer clients will validate. */
    public void probe() throws Exception {
        probe(url());
    }

    public static void probe(String keycloakUrl) throws Exception {
        String expected = issuer(keycloakUrl);
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(expected + "/.well-known/openid-configuration"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new DevStackException("discovery document answered HTTP " + response.statusCode());
        }
        JsonNode doc = JSON.readTree(response.body());
        if (!expected.equals(doc.path("issuer").asText())) {
            throw new DevStackException("realm issuer is " + doc.path("issuer") + ", expected " + expected);
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }
}
