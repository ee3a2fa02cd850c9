package dev.portcullis.proxy.pg.sql;

/**
 * A column a statement references, as far as the syntax alone resolves it.
 *
 * @param qualifier the base table the column belongs to, as written in FROM and folded as PostgreSQL folds
 *     names ({@code customers}, {@code public.customers}) when the analysis could tie it to one table; the
 *     alias or qualifier as written when it names no FROM item; null when the column is unqualified and more
 *     than one table is in scope, an enclosing query's included (any of them may own it)
 * @param column the column name, folded as PostgreSQL folds it
 */
public record ColumnRef(String qualifier, String column) {

    @Override
    public String toString() {
        return qualifier == null ? column : qualifier + "." + column;
    }
}
