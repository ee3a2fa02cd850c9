package dev.portcullis.policy.security;

/** Roles the service checks; all come from verified Keycloak tokens. */
public final class Roles {

    /** Realm role that manages policies (docs/architecture.md, "Roles"). */
    public static final String ADMIN = "portcullis-admin";
    /** Given by {@link DecisionCallerAugmentor} to tokens whose {@code azp} is an allowed service client. */
    public static final String DECISION_CLIENT = "policy-decision-client";

    private Roles() {}
}
