package dev.portcullis.it.journey;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A downloaded SSH recording in asciicast v2, checked against the format as asciinema defines it:
 * the first line is a JSON object with {@code version} 2 and positive integer {@code width} and
 * {@code height}; every further line is a JSON array {@code [time, code, data]} with a number
 * {@code time} ≥ 0 that never decreases, a code of {@code o}, {@code i}, {@code m} or {@code r},
 * and a string {@code data}.
 */
final class Asciicast {

    private static final Set<String> CODES = Set.of("o", "i", "m", "r");

    /** One event line. */
    record Event(double time, String code, String data) {}

    final byte[] bytes;
    final String sha256;
    JsonNode header;
    final List<Event> events = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    private Asciicast(byte[] bytes) {
        this.bytes = bytes;
        this.sha256 = Recording.sha256Hex(bytes);
    }

    static Asciicast parse(byte[] bytes) {
        Asciicast c = new Asciicast(bytes);
        c.check();
        return c;
    }

    private void check() {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        if (lines.isEmpty()) {
            problems.add("empty file");
            return;
        }
        header = json(lines.get(0), 1);
        if (header == null || !header.isObject()) {
            problems.add("line 1: the header is not a JSON object");
        } else {
            if (!header.path("version").isInt() || header.path("version").intValue() != 2) {
                problems.add("header: version is not 2: " + header.path("version"));
            }
            for (String dim : List.of("width", "height")) {
                if (!header.path(dim).isInt() || header.path(dim).intValue() <= 0) {
                    problems.add("header: " + dim + " is not a positive integer: " + header.path(dim));
                }
            }
        }
        double last = 0;
        for (int i = 1; i < lines.size(); i++) {
            int n = i + 1;
            JsonNode e = json(lines.get(i), n);
            if (e == null) {
                continue;
            }
            if (!e.isArray()
                    || e.size() != 3
                    || !e.get(0).isNumber()
                    || !e.get(1).isTextual()
                    || !e.get(2).isTextual()) {
                problems.add("line " + n + ": not [time, code, data]");
                continue;
            }
            double t = e.get(0).doubleValue();
            if (t < 0 || t < last) {
                problems.add("line " + n + ": time " + t + " goes back (previous " + last + ")");
            }
            last = Math.max(last, t);
            if (!CODES.contains(e.get(1).textValue())) {
                problems.add("line " + n + ": unknown event code " + e.get(1));
            }
            events.add(new Event(t, e.get(1).textValue(), e.get(2).textValue()));
        }
    }

    private JsonNode json(String line, int n) {
        try {
            return Http.JSON.readTree(line);
        } catch (IOException e) {
            problems.add("line " + n + ": not JSON");
            return null;
        }
    }

    /** Everything the terminal showed ({@code o} events), joined. */
    String output() {
        StringBuilder b = new StringBuilder();
        events.stream().filter(e -> e.code().equals("o")).forEach(e -> b.append(e.data()));
        return b.toString();
    }

    String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
