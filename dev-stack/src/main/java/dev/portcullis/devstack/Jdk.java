package dev.portcullis.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds a JDK 21+ for the child JVMs (Keycloak 26 refuses anything older). */
public final class Jdk {

    public static final int MINIMUM = 21;

    private Jdk() {}

    /**
     * The Java home to run children with: {@code explicit} if given (must be 21+), else
     * PORTCULLIS_KEYCLOAK_JAVA_HOME, else this JVM when it is 21+, else the newest 21+ JDK under
     * /usr/lib/jvm.
     */
    public static Path find(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return requireAtLeast21(Path.of(explicit), "the configured Java home");
        }
        String env = System.getenv("PORTCULLIS_KEYCLOAK_JAVA_HOME");
        if (env != null && !env.isBlank()) {
            return requireAtLeast21(Path.of(env), "PORTCULLIS_KEYCLOAK_JAVA_HOME");
        }
        if (Runtime.version().feature() >= MINIMUM) {
            return Path.of(System.getProperty("java.home"));
        }
        return scan(Path.of("/usr/lib/jvm"))
                .orElseThrow(() -> new DevStackException("no JDK " + MINIMUM + "+ found for Keycloak: this JVM is "
                        + Runtime.version().feature()
                        + " and /usr/lib/jvm has none. Install one or set PORTCULLIS_KEYCLOAK_JAVA_HOME."));
    }

    public static Path javaBinary(Path javaHome) {
        return javaHome.resolve("bin").resolve("java");
    }

    private static Optional<Path> scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(dir)) {
            return homes.filter(h -> Files.isExecutable(javaBinary(h)))
                    .filter(h -> featureVersion(h) >= MINIMUM)
                    .max(Comparator.comparingInt(Jdk::featureVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path requireAtLeast21(Path home, String source) {
        int v = featureVersion(home);
        if (v < MINIMUM) {
            throw new DevStackException(source + " (" + home + ") is " + (v == 0 ? "not a JDK" : "Java " + v)
                    + "; Keycloak needs Java " + MINIMUM + " or newer.");
        }
        return home;
    }

    /** Reads JAVA_VERSION from the JDK's release file; 0 when it cannot tell. */
    static int featureVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String first = v.split("[.+-]")[0];
                    return Integer.parseInt(first.equals("1") ? v.split("\\.")[1] : first);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
