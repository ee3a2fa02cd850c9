package dev.portcullis.proxy.pg.sql;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The children of a JSqlParser tree node, found from its fields rather than from JSqlParser's visitors: a
 * visitor walks only the clauses its author thought of, and a function call left out of one would pass as
 * read-only. Every field that holds a node (or a list, map or array of them) is a child; JSqlParser's parser
 * internals (the JavaCC nodes and tokens kept on each node) are not.
 */
final class Ast {

    /** One child: the field it was found in (for context such as {@code where}) and the node. */
    record Child(String field, Object node) {}

    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = type; c != null && isTreeClass(c); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    Class<?> t = f.getType();
                    if (Modifier.isStatic(f.getModifiers())
                            || f.isSynthetic()
                            || t.isPrimitive()
                            || t == String.class
                            || t.isEnum()
                            || t == Boolean.class) {
                        continue;
                    }
                    f.setAccessible(true);
                    out.add(f);
                }
            }
            return List.copyOf(out);
        }
    };

    private Ast() {}

    static boolean isTreeClass(Class<?> c) {
        String n = c.getName();
        return n.startsWith("net.sf.jsqlparser.") && !n.startsWith("net.sf.jsqlparser.parser.") && !c.isEnum();
    }

    static boolean isNode(Object o) {
        return o != null && isTreeClass(o.getClass());
    }

    /** The child nodes of {@code node}, in field order. */
    static List<Child> children(Object node) {
        List<Child> out = new ArrayList<>();
        for (Field f : FIELDS.get(node.getClass())) {
            Object v;
            try {
                v = f.get(node);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + f, e);
            }
            add(f.getName(), v, out);
        }
        // a node may itself be a list (ExpressionList, ReturningClause extend ArrayList): its elements
        if (node instanceof Collection<?> c) {
            for (Object e : c) {
                add("elements", e, out);
            }
        }
        return out;
    }

    private static void add(String field, Object v, List<Child> out) {
        if (v == null) {
            return;
        }
        if (isNode(v)) {
            out.add(new Child(field, v));
        } else if (v instanceof Collection<?> c) {
            for (Object e : c) {
                add(field, e, out);
            }
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                add(field, e.getKey(), out);
                add(field, e.getValue(), out);
            }
        } else if (v instanceof Object[] a) {
            for (Object e : a) {
                add(field, e, out);
            }
        }
    }
}
