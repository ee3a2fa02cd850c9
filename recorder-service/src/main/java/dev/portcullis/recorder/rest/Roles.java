package dev.portcullis.recorder.rest;

/** Realm roles (docs/architecture.md "Roles") the recorder checks. */
public final class Roles {

    /** Reads recordings and decision logs. */
    public static final String AUDITOR = "auditor";

    private Roles() {}
}
