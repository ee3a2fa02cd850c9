package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.FromSource.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@link Lineage} keeps while it walks: the names in scope and the lineage being built. */
final class LineageScope {

    static final String ANY_COLUMN = "*";

    private LineageScope() {}

    record Named(String name, OutputLineage lineage) {}

    static final class Source {
        final String ref;
        final Kind kind;
        final String table;
        final List<Named> outputs;
        final boolean renamed;
        final OutputLineage function;

        Source(String ref, Kind kind, String table, List<Named> outputs, boolean renamed, OutputLineage function) {
            this.ref = ref;
            this.kind = kind;
            this.table = table;
            this.outputs = outputs;
            this.renamed = renamed;
            this.function = function;
        }
    }

    static final class Scope {
        final Scope parent;
        final List<Source> sources = new ArrayList<>();
        final Map<String, List<Named>> ctes = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        List<Named> cte(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                List<Named> c = s.ctes.get(name);
                if (c != null) {
                    return c;
                }
            }
            return null;
        }

        Source source(String ref) {
            for (Scope s = this; s != null; s = s.parent) {
                for (int i = s.sources.size() - 1; i >= 0; i--) {
                    if (s.sources.get(i).ref.equals(ref)) {
                        return s.sources.get(i);
                    }
                }
            }
            return null;
        }
    }

    /** The lineage of one expression being built. */
    static final class Acc {
        final Set<ColumnRef> columns = new LinkedHashSet<>();
        final Set<String> wholeRows = new LinkedHashSet<>();
        final Set<String> calls = new LinkedHashSet<>();
        boolean opaque;

        void add(OutputLineage o) {
            columns.addAll(o.columns());
            wholeRows.addAll(o.wholeRows());
            calls.addAll(o.calls());
            opaque |= o.opaque();
        }

        OutputLineage toOutput(boolean star) {
            return new OutputLineage(List.copyOf(columns), List.copyOf(wholeRows), star, opaque, List.copyOf(calls));
        }
    }

    static final OutputLineage UNKNOWN = new OutputLineage(List.of(), List.of(), true, true);

    static List<OutputLineage> outputs(List<Named> named) {
        List<OutputLineage> out = new ArrayList<>(named.size());
        named.forEach(n -> out.add(n.lineage()));
        return List.copyOf(out);
    }

    static List<Named> union(List<List<Named>> branches) {
        List<Named> first = branches.get(0);
        boolean aligned = true;
        for (List<Named> b : branches) {
            aligned &= b.size() == first.size()
                    && b.stream().noneMatch(n -> n.lineage().star());
        }
        List<Named> out = new ArrayList<>();
        if (!aligned) {
            // a star in some branch: positions cannot be matched, every column may come from anything
            Acc all = new Acc();
            branches.forEach(b -> b.forEach(n -> all.add(n.lineage())));
            all.opaque = true;
            for (Named n : first) {
                out.add(new Named(n.name(), all.toOutput(n.lineage().star())));
            }
            return out;
        }
        for (int i = 0; i < first.size(); i++) {
            Acc acc = new Acc();
            for (List<Named> b : branches) {
                acc.add(b.get(i).lineage());
            }
            out.add(new Named(first.get(i).name(), acc.toOutput(false)));
        }
        return out;
    }

    static List<Named> rename(List<Named> outs, List<String> names) {
        if (names.isEmpty()) {
            return outs;
        }
        List<Named> out = new ArrayList<>(outs.size());
        for (int i = 0; i < outs.size(); i++) {
            out.add(i < names.size() ? new Named(names.get(i), outs.get(i).lineage()) : outs.get(i));
        }
        return out;
    }
}
