package dev.portcullis.policy.engine;

/** The decision input is not what the policy contract expects (a 400, never a 500). */
public final class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }
}
