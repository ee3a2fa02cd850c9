package dev.portcullis.console.api;

/** The Policies page's edit: the whole document (YAML or JSON), stored by policy-service as a new version. */
public record PolicyForm(String raw) {}
