package dev.portcullis.contracts.detect;

/**
 * A hand-written scanner behind a {@link DetectorMatcher}: each detector's {@link #next} finds the leftmost match at
 * or after a position in time linear in the text (no backtracking, no allocation), the way the detector's regular
 * expression (given in its class comment, and checked against it by the tests) would find it.
 */
abstract class LinearScan implements DetectorMatcher {

    final CharSequence text;
    private int from;
    int start = -1;
    int end = -1;

    LinearScan(CharSequence text) {
        this.text = text;
    }

    /** Finds the leftmost match starting at or after {@code from}; sets {@link #start} and {@link #end}. */
    abstract boolean next(int from);

    @Override
    public final boolean find() {
        if (from <= text.length() && next(from)) {
            from = end;
            return true;
        }
        from = text.length() + 1;
        start = -1;
        end = -1;
        return false;
    }

    @Override
    public final int start() {
        if (start < 0) {
            throw new IllegalStateException("no match");
        }
        return start;
    }

    @Override
    public final int end() {
        if (end < 0) {
            throw new IllegalStateException("no match");
        }
        return end;
    }

    static int indexOf(CharSequence s, char c, int from) {
        for (int i = Math.max(from, 0); i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    static int indexOf(CharSequence s, String literal, int from) {
        int last = s.length() - literal.length();
        for (int i = Math.max(from, 0); i <= last; i++) {
            if (startsWith(s, i, literal)) {
                return i;
            }
        }
        return -1;
    }

    static boolean startsWith(CharSequence s, int at, String literal) {
        if (at < 0 || at + literal.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (s.charAt(at + i) != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII-only case-insensitive {@link #startsWith}; {@code lowerLiteral} is lower case. */
    static boolean startsWithIgnoreCase(CharSequence s, int at, String lowerLiteral) {
        if (at < 0 || at + lowerLiteral.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < lowerLiteral.length(); i++) {
            char c = s.charAt(at + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerLiteral.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean alnum(char c) {
        return letter(c) || digit(c);
    }
}
