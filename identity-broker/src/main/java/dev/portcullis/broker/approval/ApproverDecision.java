package dev.portcullis.broker.approval;

/**
 * One approver's decision, as an access request's ({@code entity.Approval}) and a review's ({@code
 * entity.ReviewApproval}) are stored (an interface of its own package: the entity package holds only entities, and
 * the service that counts decisions depends on the entities, not the other way round): who, and {@value #APPROVE} or {@value #DENY}. The rules that count them are one (service's {@code
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
