package dev.portcullis.policy.service;

public final class PolicyNotFoundException extends RuntimeException {

    public PolicyNotFoundException(String id) {
        super("policy " + id + " not found");
    }
}
