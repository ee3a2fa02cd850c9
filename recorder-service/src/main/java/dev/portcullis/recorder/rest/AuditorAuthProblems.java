package dev.portcullis.recorder.rest;

import dev.portcullis.restedge.AuthProblems;
import jakarta.enterprise.context.ApplicationScoped;

/** The auditor API needs one role, so its 403 names it. */
@ApplicationScoped
public class AuditorAuthProblems extends AuthProblems {

    static final String FORBIDDEN = "the realm role " + Roles.AUDITOR + " is required";

    @Override
    public String forbidden() {
        return FORBIDDEN;
    }
}
