package dev.portcullis.broker.service;

import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.approval.ApproverDecision;
import dev.portcullis.broker.connection.Connection;
import java.util.List;
import java.util.Set;

/**
 * A human deciding a review or an access request, as the verified token names them: the username and the Keycloak
 * groups of the token's {@code groups} claim (docs/architecture.md "Roles").
 */
public record Approver(String username, Set<String> groups) {

    public Approver {
        groups = groups == null ? Set.of() : Set.copyOf(groups);
    }

    /**
     * This approver's decision counted with those already made on one access request or review ({@code what}, for
     * the message): refuses (409) a second decision by the same person, and returns the approvals so far, this one
     * included. The one rule both kinds of decision share (docs/architecture.md "Roles").
     */
    long approvalsWith(List<? extends ApproverDecision> existing, boolean approve, String what) {
        if (existing.stream().anyMatch(a -> a.approver().equals(username))) {
            throw ProblemException.conflict(username + " has already decided on " + what);
        }
        return existing.stream().filter(ApproverDecision::approves).count() + (approve ? 1 : 0);
    }

    /**
     * Refuses (403) an approver outside every approver group of the connection; a connection without
     * {@code approvers} in the connections file is open to every approver.
     */
    void requireMayDecideFor(Connection connection) {
        if (!connection.approvers().isEmpty() && connection.approvers().stream().noneMatch(groups::contains)) {
            throw ProblemException.forbidden(username + " is in none of the approver groups of connection "
                    + connection.name() + " " + connection.approvers());
        }
    }
}
