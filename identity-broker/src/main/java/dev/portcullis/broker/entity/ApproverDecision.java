package dev.portcullis.broker.entity;

/**
 * One approver's decision, as an access request's ({@link Approval}) and a review's ({@link ReviewApproval}) are
 * stored: who, and {@value #APPROVE} or {@value #DENY}. The rules that count them are one (service's {@code
 * Approver#approvalsWith}).
 */
public interface ApproverDecision {

    String APPROVE = "APPROVE";
    String DENY = "DENY";

    /** The approver's user name. */
    String approver();

    /** {@value #APPROVE} or {@value #DENY}. */
    String decision();

    default boolean approves() {
        return APPROVE.equals(decision());
    }

    /** The stored value of a decision. */
    static String of(boolean approve) {
        return approve ? APPROVE : DENY;
    }
}
