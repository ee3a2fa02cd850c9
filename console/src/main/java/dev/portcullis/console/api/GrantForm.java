package dev.portcullis.console.api;

/**
 * The agent page's *Grant access* form: a connection and access level, and when the grant ends — a duration
 * (ISO-8601), an end time ({@code datetime-local}, read as UTC), or neither for a grant that lasts until revoked.
 */
public record GrantForm(String connection, String access, String duration, String expiresAt) {}
