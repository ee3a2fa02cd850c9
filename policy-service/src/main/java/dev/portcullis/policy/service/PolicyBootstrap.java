package dev.portcullis.policy.service;

import dev.portcullis.policy.config.PolicyConfig;
import dev.portcullis.policy.engine.CompiledPolicy;
import dev.portcullis.policy.engine.DefaultPack;
import dev.portcullis.policy.engine.PolicyCompiler;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * At start: stores the default pack and the bootstrap directory's documents that the store has
 * never held, then activates what is stored. A document that does not compile stops the start.
 */
@ApplicationScoped
public class PolicyBootstrap {

    @Inject
    PolicyConfig config;

    @Inject
    PolicyService policies;

    void onStart(@Observes StartupEvent event) throws Throwable {
        Map<String, String> sources = new LinkedHashMap<>();
        if (config.bootstrap().defaultPack()) {
            sources.putAll(DefaultPack.sources());
        }
        config.bootstrap().dir().ifPresent(dir -> sources.putAll(read(dir)));
        // compiling CEL is CPU-heavy: do it here, on the main thread, not on the event loop
        Map<String, CompiledPolicy> compiled = new LinkedHashMap<>();
        sources.forEach((id, raw) -> compiled.put(id, PolicyCompiler.compile(id, raw, 0)));
        VertxContextSupport.subscribeAndAwait(() -> policies.bootstrap(sources, compiled));
    }

    static Map<String, String> read(Path dir) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> docs = files.filter(f -> f.getFileName().toString().matches(".+\\.(ya?ml|json)$"))
                    .sorted()
                    .toList();
            for (Path f : docs) {
                String name = f.getFileName().toString();
                out.put(name.substring(0, name.lastIndexOf('.')), Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy bootstrap directory " + dir, e);
        }
        return out;
    }
}
