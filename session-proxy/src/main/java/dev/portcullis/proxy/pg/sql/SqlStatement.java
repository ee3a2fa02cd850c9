package dev.portcullis.proxy.pg.sql;

/**
 * One top-level statement of a query string: its exact text, the bytes the proxy decides on and
 * sends to the backend as one Parse, and where it starts in the client's string (to shift the
 * backend's error positions back).
 */
public record SqlStatement(String text, int offset) {}
