package dev.portcullis.recorder.api;

import java.util.Locale;

/** Whether a request's {@code Accept-Encoding} (RFC 9110 §12.5.3) lets the server send gzip. */
public final class AcceptEncoding {

    private AcceptEncoding() {}

    /**
     * True when gzip (or its alias {@code x-gzip}) has a non-zero weight, named or through {@code *}. No header, an
     * empty one, or a weight this reader cannot parse: false, and the uncompressed representation is sent, which is
     * always acceptable.
     */
    public static boolean allowsGzip(String header) {
        if (header == null || header.isBlank()) {
            return false;
        }
        Double gzip = null;
        Double any = null;
        for (String part : header.split(",")) {
            String[] p = part.split(";");
            String coding = p[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].trim();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    q = weight(param.substring(2).trim());
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = gzip == null ? q : Math.max(gzip, q);
            } else if (coding.equals("*")) {
                any = q;
            }
        }
        double w = gzip != null ? gzip : any != null ? any : 0;
        return w > 0;
    }

    /** A qvalue: 0 to 1 with at most three decimals; anything else counts as 0 (not acceptable). */
    private static double weight(String q) {
        int n = q.length();
        if (n == 0 || n > 5 || (q.charAt(0) != '0' && q.charAt(0) != '1') || (n > 1 && q.charAt(1) != '.')) {
            return 0;
        }
        for (int i = 2; i < n; i++) {
            if (q.charAt(i) < '0' || q.charAt(i) > '9') {
                return 0;
            }
        }
        double v = Double.parseDouble(q);
        return v > 1 ? 0 : v;
    }
}
