package dev.portcullis.devstack;

/** A dependency could not be started or checked; the message says what to do about it. */
public class DevStackException extends RuntimeException {

    public DevStackException(String message) {
        super(message);
    }

    public DevStackException(String message, Throwable cause) {
        super(message, cause);
    }
}
