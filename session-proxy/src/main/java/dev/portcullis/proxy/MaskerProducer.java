package dev.portcullis.proxy;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.HashKey;
import dev.portcullis.proxy.enforcement.Masker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One {@link Masker} for every gateway (PostgreSQL, SSH, HTTP), with the configured {@code hash} key shared by
 * every pod, so that a value hashes the same on every protocol, pod and restart. Without a key the {@code hash}
 * strategy redacts: a random key per process would give hashes nobody can compare.
 */
public class MaskerProducer {

    private static final Logger LOG = Logger.getLogger(MaskerProducer.class);

    @Produces
    @Singleton
    Masker masker(ProxyConfig config) {
        Optional<HashKey> key;
        try {
            key = HashKey.load(
                    config.masking().hashKey(),
                    config.masking().hashKeyFile(),
                    config.masking().hashKeyId());
        } catch (IllegalArgumentException e) {
            // a key that is set but unusable is a mistake to fix, not a reason to mask differently
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (key.isEmpty()) {
            LOG.warn("portcullis.masking.hash-key is not set: the hash mask strategy redacts instead"
                    + " (give every proxy pod the same key, see docs/architecture.md, Policy)");
            return Masker.withoutHashKey();
        }
        LOG.infof("hash mask strategy: key id %s", key.get().id());
        return new Masker(key.get());
    }
}
