package dev.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules over the repository's text that a check of class files cannot see (CONTRIBUTING.md, "Rules the build
 * checks"): no topic name or event type spelled outside {@code contracts}, and nothing pointing outside the
 * repository.
 */
class RepositoryRulesTest {

    /** Directories that hold no sources: build output, git, the local stack's data, IDE settings. */
    private static final Set<String> SKIPPED_DIRECTORIES =
            Set.of("target", ".git", ".portcullis", ".idea", ".vscode", "node_modules");

    /**
     * Literals equal to a name that mean something else, by file. {@code decision} is both the event type of
     * decision-logs and an ordinary word; each entry must still be needed.
     */
    private static final Map<String, Set<String>> NOT_A_TOPIC_OR_TYPE = Map.of(
            // OPA's rule path data.portcullis.decision (POST /v1/data/portcullis/decision)
            "policy-service/src/main/java/dev/portcullis/policy/rest/DecisionAnswers.java",
            Set.of(EventTypes.DECISION),
            // the broker's review API: each approval's "decision" (approve/deny), read by the Reviews page
            "console/src/main/java/dev/portcullis/console/service/ReviewFeed.java",
            Set.of(EventTypes.DECISION));

    static Path root;

    @BeforeAll
    static void locate() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("contracts/pom.xml"))) {
            dir = dir.getParent();
        }
        assertTrue(
                dir != null,
                "the repository root (with contracts/) not found above "
                        + Path.of("").toAbsolutePath());
        root = dir;
    }

    @Test
    void noTopicOrEventTypeLiteralOutsideContracts() throws IOException {
        Set<String> names = names();
        List<String> found = new ArrayList<>();
        Set<String> exemptionsUsed = new TreeSet<>();
        List<Path> sources = javaSources();
        assertTrue(sources.size() > 100, "too few Java sources found under " + root + ": " + sources.size());
        for (Path file : sources) {
            String rel = relative(file);
            String text = Files.readString(file);
            for (Literal l : literals(text)) {
                for (String name : namesIn(l, names)) {
                    if (NOT_A_TOPIC_OR_TYPE.getOrDefault(rel, Set.of()).contains(name)) {
                        exemptionsUsed.add(rel + " " + name);
                    } else {
                        found.add(rel + ":" + l.line() + ": \"" + name + "\"");
                    }
                }
            }
        }
        assertTrue(
                found.isEmpty(),
                "topic names and event types are spelled only in contracts (use dev.portcullis.contracts.Topics and"
                        + " dev.portcullis.contracts.events.EventTypes):\n  " + String.join("\n  ", found));
        Set<String> exemptions = new TreeSet<>();
        NOT_A_TOPIC_OR_TYPE.forEach((file, literals) -> literals.forEach(l -> exemptions.add(file + " " + l)));
        assertEquals(exemptions, exemptionsUsed, "an exemption that is no longer needed: remove it");
    }

    /** The scanner itself: what it must find, and what it must leave alone. */
    @Test
    void theLiteralScannerFindsNamesInCodeOnly() {
        Set<String> names = Set.of(Topics.SESSION_EVENTS, EventTypes.SESSION_REQUEST, EventTypes.DECISION);
        // the names through placeholders, so that this file does not find itself
        String source = """
                class X {
                    String topic = "%1$s";
                    // "%1$s" in a line comment
                    /* "%2$s" in a block comment */
                    char quote = '"'; String escaped = "a \\" %1$s \\" b";
                    char escapedQuote = '\\''; String notAName = "%1$s-x";
                    String json = \"""
                        {"type":"%2$s","%3$s":{"action":"deny"}}\""";
                    String inline = "{\\"type\\": \\"%3$s\\"}";
                }
                """.formatted(Topics.SESSION_EVENTS, EventTypes.SESSION_REQUEST, EventTypes.DECISION);
        List<String> found = new ArrayList<>();
        for (Literal l : literals(source)) {
            for (String name : namesIn(l, names)) {
                found.add(l.line() + ":" + name);
            }
        }
        assertEquals(List.of("2:session-events", "7:session.request", "9:decision"), found);
    }

    @Test
    void nothingPointsOutsideTheRepository() throws IOException {
        // spelled in two parts, so that this file does not find itself
        List<String> markers = List.of(".." + "/shared", "DESIGN" + ".md");
        List<String> found = new ArrayList<>();
        int[] files = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root)
                                && SKIPPED_DIRECTORIES.contains(
                                        dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()
                        || SKIPPED_DIRECTORIES.contains(file.getFileName().toString())) {
                    return FileVisitResult.CONTINUE;
                }
                byte[] bytes = Files.readAllBytes(file);
                if (isBinary(bytes)) {
                    return FileVisitResult.CONTINUE;
                }
                files[0]++;
                String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    for (String marker : markers) {
                        if (lines[i].contains(marker)) {
                            found.add(relative(file) + ":" + (i + 1) + ": " + marker);
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        assertTrue(files[0] > 200, "too few text files found under " + root + ": " + files[0]);
        assertTrue(
                found.isEmpty(),
                "the contract is docs/architecture.md; nothing may point outside the repository:\n  "
                        + String.join("\n  ", found));
    }

    // ---- the scanner --------------------------------------------------------------------------------------------

    /** A string literal or text block: its value (escapes resolved) and the line it starts on. */
    record Literal(String value, int line) {}

    private static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(Topics.ALL);
        names.addAll(EventTypes.ALL);
        return names;
    }

    /**
     * The names a literal spells: all of it, or a JSON string value inside it ({@code "type":"session.request"};
     * a JSON key such as {@code "decision":} is a field name, not a type).
     */
    static List<String> namesIn(Literal l, Set<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (l.value().equals(name)
                    || Pattern.compile("\"" + Pattern.quote(name) + "\"(?!\\s*:)")
                            .matcher(l.value())
                            .find()) {
                out.add(name);
            }
        }
        return out;
    }

    /** The string literals and text blocks of a Java source, outside comments and character literals. */
    static List<Literal> literals(String src) {
        List<Literal> out = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int j = i + 3;
                StringBuilder value = new StringBuilder();
                while (j < n && !src.startsWith("\"\"\"", j)) {
                    j = appendChar(src, j, value);
                }
                out.add(new Literal(value.toString(), lineOf(src, i)));
                i = Math.min(n, j + 3);
            } else if (c == '"') {
                int j = i + 1;
                StringBuilder value = new StringBuilder();
                while (j < n && src.charAt(j) != '"' && src.charAt(j) != '\n') {
                    j = appendChar(src, j, value);
                }
                out.add(new Literal(value.toString(), lineOf(src, i)));
                i = j + 1;
            } else if (c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != '\'' && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    /** Appends the character at {@code j} (an escape resolved) and returns the index after it. */
    private static int appendChar(String src, int j, StringBuilder value) {
        char c = src.charAt(j);
        if (c != '\\' || j + 1 >= src.length()) {
            value.append(c);
            return j + 1;
        }
        char e = src.charAt(j + 1);
        value.append(
                switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 's' -> ' ';
                    default -> e; // \" \' \\, and what else follows a backslash
                });
        return j + 2;
    }

    private static int lineOf(String src, int index) {
        int line = 1;
        for (int k = 0; k < index; k++) {
            if (src.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** Every Java source under a src/main/java or src/test/java, except contracts' (where the names live). */
    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        String rel = relative(p);
                        return (rel.contains("/src/main/java/") || rel.contains("/src/test/java/"))
                                && !rel.startsWith("contracts/")
                                && Stream.of(rel.split("/")).noneMatch(SKIPPED_DIRECTORIES::contains);
                    })
                    .sorted()
                    .toList();
        }
    }

    private static boolean isBinary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
