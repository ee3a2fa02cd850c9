package dev.portcullis.console.api;

/** The Agents page's create form: the broker checks every field (name rule, lengths, plain text). */
public record NewAgentForm(String name, String team, String owner, String description) {}
