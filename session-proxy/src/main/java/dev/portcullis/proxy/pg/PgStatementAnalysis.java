package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import dev.portcullis.proxy.pg.sql.SqlLexer;
import dev.portcullis.proxy.pg.sql.SqlStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's analysis of the statements it decides on, cached by shape (so literal values do not each cost a
 * parse); each statement's info carries its own exact text and offset, never a cached one's, and only analyses no
 * literal went into are shared by a shape.
 */
final class PgStatementAnalysis {

    private static final int MAX_ENTRIES = 2000;

    private final SqlAnalyzer analyzer;
    private final Map<String, List<StatementInfo>> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<StatementInfo>> e) {
            return size() > MAX_ENTRIES;
        }
    };

    PgStatementAnalysis(SqlAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    /** The statements of a Query, as the lexer cut them ({@code parts}); unknown where the analyzer cut otherwise. */
    List<StatementInfo> analyze(String sql, List<SqlStatement> parts, boolean scs) {
        String key = scs ? SqlLexer.shape(sql) : null;
        List<StatementInfo> cached = key == null ? null : cache.get(key);
        if (cached != null && cached.size() == parts.size()) {
            List<StatementInfo> out = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                StatementInfo c = cached.get(i);
                SqlStatement p = parts.get(i);
                out.add(c.text().equals(p.text()) && c.offset() == p.offset() ? c : c.at(p.text(), p.offset()));
            }
            return out;
        }
        List<StatementInfo> infos = analyzer.analyze(sql, scs);
        if (infos.size() != parts.size()) {
            // the analyzer and the lexer disagree on the boundaries: decide on the lexer's, unknown
            infos = new ArrayList<>(parts.size());
            for (SqlStatement p : parts) {
                infos.add(StatementInfo.unknown(p.text(), p.offset()));
            }
        } else if (key != null && shapeCacheable(infos)) {
            cache.put(key, infos);
        }
        return infos;
    }

    /** One statement (a prepared statement's text, a cursor's query); unknown when the text holds more than one. */
    StatementInfo analyzeOne(String text, int offset, boolean scs) {
        List<SqlStatement> parts = SqlLexer.split(text, scs);
        List<StatementInfo> infos = analyze(text, parts, scs);
        if (infos.size() == 1) {
            StatementInfo i = infos.get(0);
            return i.offset() == offset ? i : i.at(i.text(), offset);
        }
        return StatementInfo.unknown(text, offset);
    }

    /** Only statements whose classification cannot depend on a literal's value share a shape's analysis. */
    private static boolean shapeCacheable(List<StatementInfo> infos) {
        for (StatementInfo i : infos) {
            if (!i.shapeIndependent()) {
                return false;
            }
        }
        return true;
    }
}
