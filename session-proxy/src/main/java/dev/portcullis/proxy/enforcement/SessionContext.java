package dev.portcullis.proxy.enforcement;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
// internal, as in Quarkus and SmallRye: the one way to run code synchronously on a duplicated context
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.MDC;

/**
 * What is current while code runs on behalf of one agent session, whatever its protocol: the MDC
 * keys {@value #SESSION_ID}, {@value #PROTOCOL}, {@value #AGENT} and {@value #CONNECTION} on every
 * log record, and the session's trace span as the OpenTelemetry context, which the policy call and
 * the session's Kafka records carry on as {@code traceparent}. One span per session, none per
 * statement or row.
 *
 * <p>Sessions share threads (many on one Vert.x event loop, MINA's and the relays' threads for
 * SSH), so both are current only while a piece of work for the session runs, {@link #enter()} or a
 * handler wrapped by {@link #wrap}: nothing of one session is left on a thread for the next. The
 * work runs on a duplicated Vert.x context, as Vert.x and Quarkus run an HTTP request, because
 * Quarkus keeps the MDC and the OpenTelemetry context of a Vert.x thread in a duplicated context's
 * local data. On an event loop a session has its own duplicate, which keeps its keys and trace for
 * the session's life (entering is switching to it and back), and what the work starts there
 * (timers, its backend socket, policy calls) calls back on it. On other threads each entry gets a
 * fresh duplicate, so the MDC stays out of the thread's inheritable copy, which a thread started
 * meanwhile (a pool growing) would keep. Where the MDC is the thread's own (plain JBoss LogManager,
 * as in unit tests), the keys are set and put back around each entry. Holds names only, never a
 * token or credential.
 */
public final class SessionContext {

    public static final String SESSION_ID = "session_id";
    public static final String PROTOCOL = "protocol";
    public static final String AGENT = "agent";
    public static final String CONNECTION = "connection";

    static final AttributeKey<String> SESSION_ID_ATTRIBUTE = AttributeKey.stringKey("portcullis.session.id");
    static final AttributeKey<String> AGENT_ATTRIBUTE = AttributeKey.stringKey("portcullis.agent");
    static final AttributeKey<String> CONNECTION_ATTRIBUTE = AttributeKey.stringKey("portcullis.connection");

    private static final ThreadLocal<SessionContext> CURRENT = new ThreadLocal<>();
    private static final String PROBE = "portcullis.mdc-probe";
    /** Null until {@link #mdcInContext} has found out. */
    private static volatile Boolean mdcInContext;

    /** Leaves what {@link #enter()} set; closing twice does nothing more. */
    public interface Entered extends AutoCloseable {
        @Override
        void close();
    }

    private static final Entered ALREADY_ENTERED = () -> {};

    private final String sessionId;
    private final String protocol;
    private final Span span;
    private final Context trace;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile String agent;
    private volatile String connection;
    /** Where a thread without a Vert.x context (MINA's, a relay's) gets one; null: none (unit tests). */
    private final VertxInternal vertx;
    /** This session's duplicate of the event-loop context it last ran on. */
    private volatile ContextInternal loopDuplicate;
    /** The event-loop context whose duplicates threads without a Vert.x context run on, made at first need. */
    private volatile ContextInternal base;

    private SessionContext(String sessionId, String protocol, Span span, Vertx vertx) {
        this.sessionId = sessionId;
        this.protocol = protocol;
        this.span = span;
        this.trace = Context.root().with(span);
        this.vertx = (VertxInternal) vertx;
    }

    /**
     * A session's context and its span, a server span named {@code "<protocol> session"} that
     * starts a trace of its own (no agent client sends one over PostgreSQL or SSH). A no-op tracer
     * gives a context without a trace. {@code vertx} may be null where no thread ever has a Vert.x
     * context (unit tests): the MDC is then the thread's own.
     */
    public static SessionContext open(
            Tracer tracer, Vertx vertx, String protocol, String sessionId, String clientAddress) {
        Span span = tracer.spanBuilder(protocol + " session")
                .setSpanKind(SpanKind.SERVER)
                .setNoParent()
                .setAttribute(SESSION_ID_ATTRIBUTE, sessionId)
                .setAttribute("network.protocol.name", protocol)
                .setAttribute("client.address", clientAddress)
                .startSpan();
        return new SessionContext(sessionId, protocol, span, vertx);
    }

    /** The session entered on this thread, or null. */
    public static SessionContext current() {
        return CURRENT.get();
    }

    /** Who and where, once known (for PostgreSQL: after login). */
    public void identify(String agent, String connection) {
        this.agent = agent;
        this.connection = connection;
        span.setAttribute(AGENT_ATTRIBUTE, agent);
        span.setAttribute(CONNECTION_ATTRIBUTE, connection);
        if (CURRENT.get() == this) {
            MDC.put(AGENT, agent);
            MDC.put(CONNECTION, connection);
        }
    }

    /**
     * Makes this session current on this thread until the result is closed: its MDC keys and its
     * span. Entering the session that is already current does nothing.
     */
    public Entered enter() {
        SessionContext outer = CURRENT.get();
        if (outer == this) {
            return ALREADY_ENTERED;
        }
        ContextInternal current = ContextInternal.current();
        if (current != null && current == loopDuplicate && Boolean.TRUE.equals(mdcInContext)) {
            // a callback of something the session started (its backend socket, a timer, a policy
            // call): already on the session's own duplicate, which holds its MDC keys and trace
            CURRENT.set(this);
            return () -> restore(outer);
        }
        if (current != null && !current.isDuplicate() && mdcInContext(current)) {
            return enterOwnDuplicate(current, outer);
        }
        ContextInternal onDuplicate = duplicateToRunOn(current);
        ContextInternal loopBefore = onDuplicate == null ? null : onDuplicate.beginDispatch();
        Object sessionBefore = MDC.put(SESSION_ID, sessionId);
        Object protocolBefore = MDC.put(PROTOCOL, protocol);
        Object agentBefore = putOrRemove(AGENT, agent);
        Object connectionBefore = putOrRemove(CONNECTION, connection);
        Scope traced = span.getSpanContext().isValid() ? trace.makeCurrent() : Scope.noop();
        CURRENT.set(this);
        AtomicBoolean closed = new AtomicBoolean();
        ContextInternal switched = onDuplicate;
        ContextInternal switchedFrom = loopBefore;
        return () -> {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            restore(outer);
            traced.close();
            putOrRemove(CONNECTION, connectionBefore);
            putOrRemove(AGENT, agentBefore);
            putOrRemove(PROTOCOL, protocolBefore);
            putOrRemove(SESSION_ID, sessionBefore);
            if (switched != null) {
                switched.endDispatch(switchedFrom);
            }
        };
    }

    /**
     * The fast path, on an event loop where the MDC lives in the duplicated context (Quarkus): the
     * session's own duplicate of the loop's context gets the MDC keys and the trace once and keeps
     * them for the session's life, so entering is switching to it and back, not setting eight MDC
     * entries and a trace for every buffer read. Timers and calls started inside call back on it.
     */
    private Entered enterOwnDuplicate(ContextInternal loop, SessionContext outer) {
        ContextInternal own = loopDuplicate;
        boolean fresh = own == null || own.unwrap() != loop;
        if (fresh) {
            own = loop.duplicate();
            loopDuplicate = own;
        }
        ContextInternal before = own.beginDispatch();
        if (fresh) {
            MDC.put(SESSION_ID, sessionId);
            MDC.put(PROTOCOL, protocol);
            putOrRemove(AGENT, agent);
            putOrRemove(CONNECTION, connection);
            if (span.getSpanContext().isValid()) {
                trace.makeCurrent(); // kept in this duplicate's local data for the session's life; never closed
            }
        }
        CURRENT.set(this);
        ContextInternal switched = own;
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            restore(outer);
            switched.endDispatch(before);
        };
    }

    private static void restore(SessionContext outer) {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    /** Whether the MDC is kept in a duplicated Vert.x context rather than the thread (found once). */
    private static boolean mdcInContext(ContextInternal loop) {
        Boolean known = mdcInContext;
        if (known == null) {
            ContextInternal probe = loop.duplicate();
            ContextInternal before = probe.beginDispatch();
            try {
                MDC.put(PROBE, "probe");
            } finally {
                probe.endDispatch(before);
            }
            boolean onThread = MDC.get(PROBE) != null;
            if (onThread) {
                MDC.remove(PROBE);
            }
            known = !onThread;
            mdcInContext = known;
        }
        return known;
    }

    /**
     * The duplicated context this entry runs on, or null to stay where it is (already on one). On an
     * event loop: this session's own duplicate of that loop's context (one thread at a time runs a
     * session there). On any other thread: a fresh duplicate, since several threads of an SSH session
     * may be inside at once; with it the MDC is kept in the context, not in the thread's inheritable
     * MDC, which every thread started meanwhile (a pool growing) would copy and keep.
     */
    private ContextInternal duplicateToRunOn(ContextInternal current) {
        if (current == null) {
            if (vertx == null) {
                return null;
            }
            ContextInternal b = base;
            if (b == null) {
                b = vertx.createEventLoopContext();
                base = b;
            }
            return b.duplicate();
        }
        if (current.isDuplicate()) {
            return null;
        }
        ContextInternal d = loopDuplicate;
        if (d == null || d.unwrap() != current) {
            d = current.duplicate();
            loopDuplicate = d;
        }
        return d;
    }

    /** Sets {@code key} to {@code value} (removes it for null); returns what it was. */
    private static Object putOrRemove(String key, Object value) {
        if (value != null) {
            return MDC.put(key, value);
        }
        Object before = MDC.get(key);
        if (before != null) {
            MDC.remove(key);
        }
        return before;
    }

    /** {@code handler}, run inside this session. */
    public <T> Handler<T> wrap(Handler<T> handler) {
        return event -> {
            try (Entered e = enter()) {
                handler.handle(event);
            }
        };
    }

    /** {@code work}, run inside this session. */
    public Runnable wrap(Runnable work) {
        return () -> {
            try (Entered e = enter()) {
                work.run();
            }
        };
    }

    /** Ends the session's span once, with why the session ended. */
    public void end(String reason) {
        if (ended.compareAndSet(false, true)) {
            span.setAttribute("portcullis.session.end_reason", reason);
            span.end();
        }
    }

    public String sessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return "SessionContext[" + protocol + " " + sessionId + "]";
    }
}
