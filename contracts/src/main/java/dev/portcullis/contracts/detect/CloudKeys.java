package dev.portcullis.contracts.detect;

/**
 * Cloud and SaaS credentials, as this expression finds them (its alternatives start with distinct literals, so at
 * any place at most one can apply):
 *
 * <pre>
 * (?:AKIA|ASIA)[0-9A-Z]{16}
 * |AIza[0-9A-Za-z_-]{35}
 * |(?i:aws_secret_access_key)\s*[=:]\s*[A-Za-z0-9/+=]{40}
 * |(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}
 * |xox[abposr]-[A-Za-z0-9-]{10,}
 * |AccountKey=[A-Za-z0-9/+=]{40,}
 * </pre>
 */
final class CloudKeys extends LinearScan {

    private static final String AWS_SECRET = "aws_secret_access_key";

    CloudKeys(CharSequence text) {
        super(text);
    }

    @Override
    boolean next(int from) {
        for (int p = from; p < text.length(); p++) {
            int e = switch (text.charAt(p)) {
                case 'A' -> {
                    int k = accessKeyId(p);
                    k = k < 0 ? googleKey(p) : k;
                    k = k < 0 ? azureAccountKey(p) : k;
                    yield k < 0 ? awsSecret(p) : k;
                }
                case 'a' -> awsSecret(p);
                case 'g' -> githubToken(p);
                case 'x' -> slackToken(p);
                default -> -1;
            };
            if (e > 0) {
                start = p;
                end = e;
                return true;
            }
        }
        return false;
    }

    private int accessKeyId(int p) {
        if (!startsWith(text, p, "AKIA") && !startsWith(text, p, "ASIA")) {
            return -1;
        }
        return exactly(p + 4, 16, CloudKeys::upperOrDigit);
    }

    private int googleKey(int p) {
        return startsWith(text, p, "AIza") ? exactly(p + 4, 35, c -> alnum(c) || c == '_' || c == '-') : -1;
    }

    private int awsSecret(int p) {
        if (!startsWithIgnoreCase(text, p, AWS_SECRET)) {
            return -1;
        }
        int i = whitespace(p + AWS_SECRET.length());
        if (i >= text.length() || (text.charAt(i) != '=' && text.charAt(i) != ':')) {
            return -1;
        }
        return exactly(whitespace(i + 1), 40, CloudKeys::base64);
    }

    private int githubToken(int p) {
        int i;
        if (startsWith(text, p, "github_pat_")) {
            i = p + "github_pat_".length();
        } else if (startsWith(text, p, "gh")
                && p + 3 < text.length()
                && "posu".indexOf(text.charAt(p + 2)) >= 0
                && text.charAt(p + 3) == '_') {
            i = p + 4;
        } else {
            return -1;
        }
        return atLeast(i, 20, c -> alnum(c) || c == '_');
    }

    private int slackToken(int p) {
        if (!startsWith(text, p, "xox")
                || p + 4 >= text.length()
                || "abposr".indexOf(text.charAt(p + 3)) < 0
                || text.charAt(p + 4) != '-') {
            return -1;
        }
        return atLeast(p + 5, 10, c -> alnum(c) || c == '-');
    }

    private int azureAccountKey(int p) {
        return startsWith(text, p, "AccountKey=") ? atLeast(p + "AccountKey=".length(), 40, CloudKeys::base64) : -1;
    }

    private interface CharClass {
        boolean has(char c);
    }

    /** The end of exactly {@code count} characters of {@code cls} from {@code i}, or -1. */
    private int exactly(int i, int count, CharClass cls) {
        if (i + count > text.length()) {
            return -1;
        }
        for (int k = i; k < i + count; k++) {
            if (!cls.has(text.charAt(k))) {
                return -1;
            }
        }
        return i + count;
    }

    /** The end of the run of {@code cls} from {@code i} when it is {@code min} long or more, else -1. */
    private int atLeast(int i, int min, CharClass cls) {
        int e = i;
        while (e < text.length() && cls.has(text.charAt(e))) {
            e++;
        }
        return e - i >= min ? e : -1;
    }

    /** Past the whitespace ({@code \s}: space, tab, newline, vertical tab, form feed, return) from {@code i}. */
    private int whitespace(int i) {
        while (i < text.length() && " \t\n\u000B\f\r".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean upperOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || digit(c);
    }

    private static boolean base64(char c) {
        return alnum(c) || c == '/' || c == '+' || c == '=';
    }
}
