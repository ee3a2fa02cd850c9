package dev.portcullis.proxy.pg.sql;

/** Identifiers as PostgreSQL folds them. */
final class Names {

    private Names() {}

    /**
     * A name part as JSqlParser keeps it: {@code "X"} is X exactly (doubled quotes undone); unquoted is
     * lower-cased, ASCII letters only, as PostgreSQL's {@code downcase_identifier} does.
     */
    static String fold(String part) {
        if (part == null) {
            return null;
        }
        if (part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"")) {
            return part.substring(1, part.length() - 1).replace("\"\"", "\"");
        }
        return SqlTokens.foldAscii(part);
    }

    /** A possibly dotted name ({@code "Sch".T}) folded part by part. */
    static String foldQualified(String name) {
        if (name == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        int start = 0;
        boolean quoted = false;
        while (i <= name.length()) {
            if (i == name.length() || !quoted && name.charAt(i) == '.') {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(fold(name.substring(start, i).strip()));
                start = i + 1;
            } else if (name.charAt(i) == '"') {
                quoted = !quoted;
            }
            i++;
        }
        return sb.toString();
    }
}
