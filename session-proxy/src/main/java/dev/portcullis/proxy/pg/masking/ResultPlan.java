package dev.portcullis.proxy.pg.masking;

import dev.portcullis.proxy.enforcement.Masker;

/**
 * The masking of one result, column by column: a {@link Masker.ColumnPlan} for each column that needs one (null
 * where the value passes as it is), whether that column comes in binary format (its bytes are its text, see
 * {@link ResultMaskPlanner#TEXT_LIKE_TYPES}), or a refusal when a masked column was asked for in a binary format
 * the proxy cannot mask.
 */
public final class ResultPlan {

    private final Masker.ColumnPlan[] columns;
    private final boolean[] binary;
    private final String refusal;

    ResultPlan(Masker.ColumnPlan[] columns, boolean[] binary, String refusal) {
        this.columns = columns.clone();
        this.binary = binary.clone();
        this.refusal = refusal;
    }

    /** How many columns the result has. */
    public int size() {
        return columns.length;
    }

    /** The plan of column {@code i}, or null when its values pass unchanged (also beyond the last column). */
    public Masker.ColumnPlan column(int i) {
        return i >= 0 && i < columns.length ? columns[i] : null;
    }

    /** Whether column {@code i} is masked and sent in binary format (its bytes are UTF-8 text). */
    public boolean binary(int i) {
        return i >= 0 && i < binary.length && binary[i];
    }

    /** Whether any column is masked. */
    public boolean masksAnything() {
        for (Masker.ColumnPlan p : columns) {
            if (p != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why the result cannot be relayed (SQLSTATE {@link ResultMaskPlanner#BINARY_REFUSED_SQLSTATE}), or null. The
     * message names the column as PostgreSQL named it, never a value.
     */
    public String refusal() {
        return refusal;
    }

    /** The column plans as an array, for the session's DataRow rewriting. */
    public Masker.ColumnPlan[] columns() {
        return columns.clone();
    }
}
