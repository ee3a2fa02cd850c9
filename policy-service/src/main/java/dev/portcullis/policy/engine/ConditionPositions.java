package dev.portcullis.policy.engine;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where each rule's {@code condition} is in the document, so that a CEL compile error (whose line:col is inside the
 * condition's own text) is reported at the document's line:col — what the console's editor and an admin's editor
 * show. Read from SnakeYAML's node tree ({@code compose}: nodes with their positions, nothing constructed). Exact for
 * a condition on one line (plain, single- or double-quoted: escapes are walked), for a literal block ({@code |}) and
 * for a folded block ({@code >}) of evenly indented lines; for another folded block or a multi-line flow scalar, the
 * condition's first character.
 */
final class ConditionPositions {

    /** A document position, 1-based. */
    record Position(int line, int column) {}

    private final String raw;
    private final Map<String, ScalarNode> conditions;

    private ConditionPositions(String raw, Map<String, ScalarNode> conditions) {
        this.raw = raw;
        this.conditions = conditions;
    }

    /** The conditions of {@code raw}'s rules by rule id; none when the document cannot be read this way. */
    static ConditionPositions of(String raw) {
        Map<String, ScalarNode> found = new HashMap<>();
        try {
            Node root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(raw));
            if (root instanceof MappingNode doc && value(doc, "rules") instanceof SequenceNode rules) {
                for (Node r : rules.getValue()) {
                    if (r instanceof MappingNode rule
                            && value(rule, "id") instanceof ScalarNode id
                            && value(rule, "condition") instanceof ScalarNode condition) {
                        found.putIfAbsent(id.getValue(), condition);
                    }
                }
            }
        } catch (RuntimeException e) {
            // the parser reports what is wrong with the document; positions are only a help
        }
        return new ConditionPositions(raw, found);
    }

    /**
     * The document position of {@code line}:{@code column} (1-based) inside rule {@code ruleId}'s condition, or null
     * when the condition was not found.
     */
    Position of(String ruleId, int line, int column) {
        ScalarNode node = conditions.get(ruleId);
        if (node == null) {
            return null;
        }
        Mark start = node.getStartMark();
        Position first = new Position(start.getLine() + 1, start.getColumn() + 1);
        ScalarStyle style = node.getScalarStyle();
        String[] lines = raw.split("\n", -1);
        if (style == ScalarStyle.LITERAL) {
            // content from the line after the indicator, at the block's indentation
            int docLine = start.getLine() + line; // 0-based: the indicator's line + the condition's line
            if (docLine >= lines.length) {
                return first;
            }
            int indent = indentation(lines, start.getLine() + 1);
            return new Position(docLine + 1, indent + Math.max(1, column));
        }
        if (style == ScalarStyle.FOLDED) {
            Position p = line == 1 ? folded(lines, start.getLine(), column) : null;
            return p == null ? first : p;
        }
        if (node.getEndMark().getLine() != start.getLine() || line != 1) {
            return first; // a multi-line flow scalar: YAML joined its lines
        }
        String source = lines[start.getLine()];
        int at = start.getColumn();
        return switch (style) {
            case PLAIN -> new Position(first.line(), at + Math.max(1, column));
            case SINGLE_QUOTED -> new Position(first.line(), walk(source, at + 1, column, '\'') + 1);
            case DOUBLE_QUOTED -> new Position(first.line(), walk(source, at + 1, column, '"') + 1);
            default -> first;
        };
    }

    /**
     * The index in {@code source} of the value's {@code column}-th character (1-based), for a quoted scalar whose
     * value starts at {@code from}: {@code ''} is one quote in single quotes, a backslash escape one character in
     * double quotes ({@code \\xXX}, {@code \\uXXXX}, {@code \\UXXXXXXXX} their whole length).
     */
    static int walk(String source, int from, int column, char quote) {
        int i = from;
        for (int k = 1; k < column && i < source.length(); k++) {
            char c = source.charAt(i);
            if (quote == '\'' && c == '\'' && i + 1 < source.length() && source.charAt(i + 1) == '\'') {
                i += 2;
            } else if (quote == '"' && c == '\\' && i + 1 < source.length()) {
                char e = source.charAt(i + 1);
                i += switch (e) {
                    case 'x' -> 4;
                    case 'u' -> 6;
                    case 'U' -> 10;
                    default -> 2;
                };
            } else {
                i++;
            }
        }
        return Math.min(i, source.length());
    }

    /**
     * A folded block ({@code >}, {@code >-}, {@code >+}) whose lines are all at the block's indentation, without blank
     * lines: YAML joins them with one space each, so the value's {@code column} is on one of them. Null for any other
     * folded block (a blank or more-indented line keeps a line break, which this does not follow).
     */
    private static Position folded(String[] lines, int indicatorLine, int column) {
        int indent = indentation(lines, indicatorLine + 1);
        if (indent == 0) {
            return null;
        }
        int offset = 0; // the value's index where the current line starts
        for (int i = indicatorLine + 1; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank()) {
                return null;
            }
            int own = 0;
            while (own < l.length() && l.charAt(own) == ' ') {
                own++;
            }
            if (own < indent) {
                return null; // the block ended before the column
            }
            if (own > indent) {
                return null; // a more-indented line keeps its break
            }
            String text = l.substring(indent);
            if (column - 1 < offset + text.length()) {
                return new Position(i + 1, indent + (column - 1 - offset) + 1);
            }
            offset += text.length() + 1;
        }
        return null;
    }

    private static int indentation(String[] lines, int from) {
        for (int i = from; i < lines.length; i++) {
            String l = lines[i];
            if (!l.isBlank()) {
                int n = 0;
                while (n < l.length() && l.charAt(n) == ' ') {
                    n++;
                }
                return n;
            }
        }
        return 0;
    }

    private static Node value(MappingNode map, String key) {
        List<NodeTuple> tuples = map.getValue();
        for (NodeTuple t : tuples) {
            if (t.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
                return t.getValueNode();
            }
        }
        return null;
    }
}
