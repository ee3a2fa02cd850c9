package dev.portcullis.console.service;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two versions of a policy document, as the Policies page shows it: each line kept, removed or added,
 * in order (the longest common subsequence of the lines). Documents past {@link #MAX_LINES} are not diffed.
 */
public final class LineDiff {

    /** One line of the diff: {@code kind} is {@code ' '} (in both), {@code '-'} (removed) or {@code '+'} (added). */
    public record Line(char kind, String text) {
        /** The kind as text for the page ({@code " "}, {@code "-"}, {@code "+"}). */
        public String mark() {
            return String.valueOf(kind);
        }

        public boolean added() {
            return kind == '+';
        }

        public boolean removed() {
            return kind == '-';
        }
    }

    /** Beyond this many lines on either side the quadratic table is not built. */
    static final int MAX_LINES = 2_000;

    private LineDiff() {}

    /** The diff from {@code before} to {@code after} (null is an empty document); empty when either is too long. */
    public static List<Line> of(String before, String after) {
        String[] a = lines(before);
        String[] b = lines(after);
        if (a.length > MAX_LINES || b.length > MAX_LINES) {
            return List.of();
        }
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<Line> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i].equals(b[j])) {
                out.add(new Line(' ', a[i++]));
                j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add(new Line('-', a[i++]));
            } else {
                out.add(new Line('+', b[j++]));
            }
        }
        while (i < a.length) {
            out.add(new Line('-', a[i++]));
        }
        while (j < b.length) {
            out.add(new Line('+', b[j++]));
        }
        return List.copyOf(out);
    }

    /** Whether a diff of these documents would be too long to build. */
    public static boolean tooLong(String before, String after) {
        return lines(before).length > MAX_LINES || lines(after).length > MAX_LINES;
    }

    private static String[] lines(String s) {
        if (s == null || s.isEmpty()) {
            return new String[0];
        }
        return s.split("\r?\n", -1);
    }
}
