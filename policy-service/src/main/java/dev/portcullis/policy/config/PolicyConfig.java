package dev.portcullis.policy.config;

import dev.portcullis.policy.model.Action;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the policy service ({@code portcullis.policy.*}). */
@ConfigMapping(prefix = "portcullis.policy")
public interface PolicyConfig {

    /**
     * What to do when no rule and no connection default matched: {@code allow}, {@code review} or {@code deny}. An
     * enum, so a misspelling stops the service at start instead of meaning something else.
     */
    @WithDefault("deny")
    Action fallbackAction();

    Bootstrap bootstrap();

    Limits limits();

    Auth auth();

    DecisionLog decisionLog();

    interface Bootstrap {
        /** Load the default policy pack (classpath {@code policies/}) for ids never stored before. */
        @WithDefault("true")
        boolean defaultPack();

        /** A directory of {@code *.yaml}/{@code *.yml}/{@code *.json} documents (id = file name), loaded the same way. */
        Optional<Path> dir();
    }

    interface Limits {
        /** Largest request body accepted on /v1/data and /v1/policies; larger ones get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** Deepest JSON nesting accepted in a request body; deeper ones get 413. */
        @WithDefault("64")
        int maxDepth();
    }

    interface Auth {
        /** Client ids ({@code azp} of a verified Keycloak token) allowed to ask for decisions. */
        @WithDefault("session-proxy")
        List<String> decisionClients();

        /**
         * How long a bearer token verified once is trusted again without re-verifying its signature
         * (never past its {@code exp}); bounds how long a key removed from Keycloak's JWKS is honoured.
         * {@code PT0S} turns the cache off.
         */
        @WithDefault("PT60S")
        Duration tokenCacheMaxAge();

        /** Most verified tokens remembered at once. */
        @WithDefault("10000")
        int tokenCacheMaxEntries();
    }

    interface DecisionLog {
        /** Most decision logs on their way to Kafka at once; beyond it decisions are refused (503), never waited for. */
        @WithDefault("10000")
        int maxPending();

        /**
         * Most bytes of serialised decision logs on their way to Kafka at once; beyond it decisions are refused (503).
         * The producer's {@code buffer.memory} is sized for it (application.properties), so that a send never finds it
         * full: a full buffer fails sends after {@code max.block.ms}, which would drop logs of decisions already
         * answered. Raise both together.
         */
        @WithDefault("16777216")
        long maxPendingBytes();

        /** How long readiness stays DOWN after a decision log was lost (buffer full or Kafka refused it). */
        @WithDefault("PT30S")
        Duration unreadyAfterLoss();
    }
}
