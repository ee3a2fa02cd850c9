package dev.portcullis.console.api;

/** An approver's decision as the Reviews page sends it: an optional comment, passed to the broker as it is. */
public record DecisionForm(String comment) {}
