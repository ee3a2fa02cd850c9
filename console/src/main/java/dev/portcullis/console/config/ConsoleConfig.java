package dev.portcullis.console.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The console's settings (console/README.md, "Configuration"). */
@ConfigMapping(prefix = "portcullis")
public interface ConsoleConfig {

    Connections connections();

    Console console();

    interface Connections {
        /** The connections file every service reads (docs/architecture.md "Connections"): the console shows tags. */
        Optional<Path> file();
    }

    interface Console {
        /** How often a live page asks the broker for pending reviews, with the signed-in user's token. */
        @WithDefault("250ms")
        Duration pollInterval();

        /**
         * How long one event stream lives before the browser reconnects: each reconnect passes the OIDC session
         * check again, which refreshes the user's tokens before they expire.
         */
        @WithDefault("60s")
        Duration streamMaxAge();

        /**
         * Base64 of the key the CSRF tokens are HMACs under. Set it (32 bytes or more) when several replicas
         * serve one user; without it each process draws a random key, and a restart asks open pages to reload.
         */
        Optional<String> csrfKey();
    }
}
