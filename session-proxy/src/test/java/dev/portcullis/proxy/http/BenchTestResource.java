package dev.portcullis.proxy.http;

import dev.portcullis.proxy.ssh.SshTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The SSH and the HTTP test targets together, for {@link SshHttpBenchmark}: one connections file, one policy server. */
public class BenchTestResource implements QuarkusTestResourceLifecycleManager {

    private final SshTestResource ssh = new SshTestResource();
    private final HttpTestResource http = new HttpTestResource();

    @Override
    public int order() {
        return 100;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> sshConfig = ssh.start();
        Map<String, String> config = new java.util.LinkedHashMap<>(sshConfig);
        config.putAll(http.start()); // its policy server decides SSH too
        try {
            String a = Files.readString(Path.of(sshConfig.get("portcullis.connections.file")));
            String b = Files.readString(Path.of(config.get("portcullis.connections.file")));
            Path both = HttpTestResource.dir().resolve("bench-connections.yaml");
            Files.writeString(both, a.stripTrailing() + "\n" + b.substring(b.indexOf('\n') + 1));
            config.put("portcullis.connections.file", both.toString());
            config.put("portcullis.ssh.max-connections", "64");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        http.stop();
        ssh.stop();
    }
}
