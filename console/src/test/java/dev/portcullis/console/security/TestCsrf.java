package dev.portcullis.console.security;

import dev.portcullis.console.config.ConsoleConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/** {@link CsrfTokens} under a fixed key, for tests outside this package. */
public final class TestCsrf {

    private TestCsrf() {}

    public static CsrfTokens tokens() {
        return new CsrfTokens(config(Optional.of(Base64.getEncoder().encodeToString(new byte[32]))));
    }

    /** The console's settings as the tests need them: no connections file, the defaults, and this CSRF key. */
    public static ConsoleConfig config(Optional<String> key) {
        return new ConsoleConfig() {
            @Override
            public Connections connections() {
                return () -> Optional.<Path>empty();
            }

            @Override
            public Console console() {
                return new Console() {
                    @Override
                    public Duration pollInterval() {
                        return Duration.ofMillis(250);
                    }

                    @Override
                    public Duration streamMaxAge() {
                        return Duration.ofSeconds(60);
                    }

                    @Override
                    public Optional<String> csrfKey() {
                        return key;
                    }
                };
            }
        };
    }
}
