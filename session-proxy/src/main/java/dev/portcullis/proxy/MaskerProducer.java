package dev.portcullis.proxy;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.Masker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** One {@link Masker} for the gateways, so the {@code hash} strategy gives the same hash on every protocol. */
public class MaskerProducer {

    @Produces
    @Singleton
    Masker masker(ProxyConfig config) {
        byte[] hashKey = config.masking()
                .hashKey()
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> {
                    byte[] k = new byte[32];
                    new SecureRandom().nextBytes(k);
                    return k;
                });
        return new Masker(hashKey);
    }
}
