package dev.portcullis.broker.keycloak;

/** Keycloak refused or failed an admin or token call; {@link #status()} is Keycloak's HTTP status (0 if none). */
public class KeycloakException extends RuntimeException {

    private final int status;

    public KeycloakException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
