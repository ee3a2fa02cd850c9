package dev.portcullis.policy.rest;

/** A request refused with an OPA-shaped error. */
public final class OpaException extends RuntimeException {

    private final int status;
    private final String code;

    public OpaException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static OpaException badRequest(String message) {
        return new OpaException(400, OpaError.INVALID_PARAMETER, message);
    }

    public static OpaException tooLarge(String message) {
        return new OpaException(413, OpaError.INVALID_PARAMETER, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
