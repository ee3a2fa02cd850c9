package dev.portcullis.policy.model;

import java.util.List;

/** A parsed (not yet compiled) policy document. */
public record PolicyDocument(String id, String description, List<ConnectionDefault> defaults, List<Rule> rules) {}
