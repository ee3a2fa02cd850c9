package dev.portcullis.contracts.detect;

/**
 * JSON Web Tokens, as {@code eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*} finds them. A start that
 * fails is skipped with the run it fails in: every later start inside that run fails at the same place.
 */
final class Jwts extends LinearScan {

    private static final String PART = "eyJ";

    Jwts(CharSequence text) {
        super(text);
    }

    @Override
    boolean next(int from) {
        int n = text.length();
        int p = indexOf(text, PART, from);
        while (p >= 0) {
            int e1 = run(p + PART.length());
            if (e1 - p - PART.length() < 5 || e1 >= n || text.charAt(e1) != '.') {
                p = indexOf(text, PART, Math.max(p + 1, e1));
                continue;
            }
            int second = e1 + 1;
            int e2 = startsWith(text, second, PART) ? run(second + PART.length()) : -1;
            if (e2 < 0 || e2 - second - PART.length() < 5 || e2 >= n || text.charAt(e2) != '.') {
                p = indexOf(text, PART, second); // the second part may start a token of its own
                continue;
            }
            start = p;
            end = run(e2 + 1);
            return true;
        }
        return false;
    }

    /** The end of the run of base64url characters from {@code i}. */
    private int run(int i) {
        while (i < text.length() && base64url(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean base64url(char c) {
        return alnum(c) || c == '_' || c == '-';
    }
}
