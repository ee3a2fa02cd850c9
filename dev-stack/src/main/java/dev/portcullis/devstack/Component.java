package dev.portcullis.devstack;

import java.util.Locale;

/** A real dependency that dev-stack can start. The name is used for log files, pid files and the CLI. */
public enum Component {
    POSTGRES,
    KAFKA,
    KEYCLOAK,
    S3;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Component fromId(String id) {
        for (Component c : values()) {
            if (c.id().equalsIgnoreCase(id.trim())) {
                return c;
            }
        }
        throw new DevStackException("unknown component '" + id + "' (known: postgres, kafka, keycloak, s3)");
    }
}
