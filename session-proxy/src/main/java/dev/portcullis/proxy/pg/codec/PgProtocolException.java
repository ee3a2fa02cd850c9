package dev.portcullis.proxy.pg.codec;

/** The peer sent something that is not valid protocol 3.0; the connection cannot continue. */
public class PgProtocolException extends RuntimeException {

    public PgProtocolException(String message) {
        super(message, null, false, false);
    }
}
