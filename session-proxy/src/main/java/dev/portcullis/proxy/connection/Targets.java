package dev.portcullis.proxy.connection;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.connections.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How session-proxy reaches a connection's target: the host and port of a {@code host:port} address, TLS, and the
 * credentials of a session's access level with their password read from where the file says.
 */
public final class Targets {

    private Targets() {}

    /** The host of a {@code host[:port]} or {@code [v6][:port]} address (brackets removed). */
    public static String host(Connection c) {
        String a = c.address();
        if (a.startsWith("[")) {
            return a.substring(1, a.indexOf(']'));
        }
        int i = a.lastIndexOf(':');
        return i < 0 ? a : a.substring(0, i);
    }

    /** The port of a {@code host[:port]} address, else the type's default (ssh 22, postgres 5432). */
    public static int port(Connection c) {
        String a = c.address();
        int i = a.lastIndexOf(':');
        if (i < 0 || i < a.lastIndexOf(']')) {
            return c.type() == ConnectionType.SSH ? 22 : 5432;
        }
        return Integer.parseInt(a.substring(i + 1));
    }

    /** Whether the file asks for TLS toward the target ({@code tls.mode: require}). */
    public static boolean tls(Connection c) {
        return c.tls() != null && c.tls().required();
    }

    /**
     * The credentials for a session at {@code access} (the level its token grants): the connection's one block, or
     * that level's own block. Empty when the connection has none for it.
     */
    public static Optional<Credentials> credentials(Connection c, String access) {
        return AccessLevel.fromId(access).flatMap(c::credentials);
    }

    /** Reads the password (file or environment) now, so a rotated Secret is picked up. Blocking. */
    public static char[] readPassword(Connection c, Credentials credentials) {
        try {
            if (credentials.passwordFile() != null) {
                return Files.readString(Path.of(credentials.passwordFile()), StandardCharsets.UTF_8)
                        .strip()
                        .toCharArray();
            }
            if (credentials.passwordEnv() != null && System.getenv(credentials.passwordEnv()) != null) {
                return System.getenv(credentials.passwordEnv()).toCharArray();
            }
            return new char[0];
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the password file of connection " + c.name(), e);
        }
    }
}
