package dev.portcullis.proxy.enforcement;

/** One entry of a decision's mask list: a column name or a detector, and a strategy. */
public record MaskRule(String column, String detector, String strategy) {}
