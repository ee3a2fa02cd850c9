package dev.portcullis.proxy.enforcement;

/** What the kill switch needs from a live session of any protocol. */
public interface LiveSession {

    String id();

    String agent();

    String connection();

    /** Ends the session with a message the client sees; safe to call from any thread. */
    void terminate(String reason);
}
