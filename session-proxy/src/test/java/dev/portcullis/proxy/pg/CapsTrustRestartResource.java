package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.KeycloakScopes;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.http.TestCerts;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * {@link ProxyTestResource} plus what the issue-15 §5–§7 tests need: small pre-authentication budgets and timeouts;
 * {@link FakePgBackend} behind connections {@code pg-fake-*} (demo-agent granted {@code read} on each); and, before
 * the proxy starts, a token minted and then an {@code agent.disabled} of demo-agent published, so the proxy must
 * rebuild that kill switch from {@code identity-events} at start to refuse the token.
 */
public class CapsTrustRestartResource extends ProxyTestResource {

    static final int PG_BUDGET = 4;
    static final int HTTP_BUDGET = 4;
    static final int SSH_BUDGET = 4;
    static final List<String> FAKES = List.of(
            "md5", "cleartext", "trust", "badscram", "okbeforefinal", "tls-ok", "tls-wrongname", "tls-untrusted");

    static FakePgBackend fake;
    /** demo-agent's read token for pg-demo, minted before the kill switch the proxy must remember. */
    static String tokenBeforeKillSwitch;

    static String connection(String fake) {
        return "pg-fake-" + fake;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            Path dir = Path.of("target", "proxy-test", "caps").toAbsolutePath();
            TestCerts cert = TestCerts.localhost(dir, "fake-pg");
            fake = new FakePgBackend(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()));
            Path pw = dir.resolve("fake.password");
            Files.writeString(pw, "fake-backend-password");
            StringBuilder yaml = new StringBuilder();
            for (String f : FAKES) {
                String tls = switch (f) {
                    case "tls-ok" ->
                        ", tls: { mode: require, caFile: " + cert.certificatePath() + ", serverName: localhost }";
                    case "tls-wrongname" ->
                        ", tls: { mode: require, caFile: " + cert.certificatePath() + ", serverName: db.example.com }";
                    case "tls-untrusted" -> ", tls: { mode: require }";
                    default -> "";
                };
                yaml.append(
                        "  %s: { type: postgres, address: 127.0.0.1:%d, database: %s, credentials: { username: app, passwordFile: %s }, accessLevels: [read]%s }\n"
                                .formatted(connection(f), fake.port(), f, pw, tls));
                KeycloakScopes.grantDemoAgent(connection(f), "read");
            }
            Files.writeString(
                    Path.of(config.get("portcullis.connections.file")), yaml.toString(), StandardOpenOption.APPEND);
            // the kill switch happens while no proxy runs: the one that starts next must know it
            tokenBeforeKillSwitch = Agents.demoAgentToken();
            KafkaProbe.publish(
                    Topics.IDENTITY_EVENTS,
                    "demo-agent",
                    KafkaProbe.controlEvent(
                            EventTypes.AGENT_DISABLED,
                            "demo-agent",
                            new JsonObject().put("agent", "demo-agent").put("reason", "restart test")));
            Thread.sleep(1_100); // iat has whole seconds: the tests' later tokens must come from a later second
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        config.put("portcullis.pg.max-unauthenticated", String.valueOf(PG_BUDGET));
        config.put("portcullis.http.max-unauthenticated", String.valueOf(HTTP_BUDGET));
        config.put("portcullis.http.login-timeout", "5s");
        config.put("portcullis.ssh.max-unauthenticated", String.valueOf(SSH_BUDGET));
        config.put("portcullis.shutdown.drain-timeout", "8s");
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        if (fake != null) {
            try {
                fake.close();
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
