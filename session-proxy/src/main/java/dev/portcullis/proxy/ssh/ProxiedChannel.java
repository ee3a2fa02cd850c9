package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.RecordedRequests;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.ReviewRequests;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.events.SessionData;
import dev.portcullis.proxy.ssh.shell.CommandAnalysis;
import io.vertx.core.json.JsonObject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jboss.logging.Logger;

/**
 * One agent {@code exec} or {@code shell} request. Parsing (what MINA hands over: the command
 * text, or none for a shell) is kept apart from acting on it ({@link #run}): the decision, the
 * review hold, and only then the target channel. Runs on its own virtual thread, since MINA wants
 * {@link #start} to return at once.
 */
final class ProxiedChannel implements Command {

    private static final Logger LOG = Logger.getLogger(ProxiedChannel.class);
    private static final int EXIT_REFUSED = 1;
    private static final int MAX_LINE = 64 * 1024;

    /**
     * The parsed request: {@code kind} is {@code exec}, {@code shell} or {@code sftp} (the sftp
     * subsystem); {@code command} is empty for a shell and for sftp. An exec's policy request
     * carries what the shell will run ({@code shell}: {@link CommandAnalysis#json()}).
     */
    record SshRequest(String kind, String command) {
        JsonObject json() {
            JsonObject j = new JsonObject().put("kind", kind).put("command", command);
            if ("exec".equals(kind)) {
                j.put("shell", new JsonObject(CommandAnalysis.of(command).json()));
            }
            return j;
        }

        boolean sftp() {
            return "sftp".equals(kind);
        }

        /** For a read grant's refused exec, why the analysis found it not read-only (the agent's own words). */
        String notReadOnly(String access) {
            if (!"exec".equals(kind) || !"read".equals(access)) {
                return "";
            }
            List<String> why = CommandAnalysis.of(command).notReadOnly();
            return why.isEmpty() ? "" : " (not read-only: " + why.getFirst() + ")";
        }
    }

    private final SshGateway gw;
    private final TargetConnector targets;
    private final SshRequest request;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private ChannelSession channel;
    private volatile Thread thread;
    private volatile ClientChannel target;

    private final ClassLoader appLoader;

    ProxiedChannel(SshGateway gw, TargetConnector targets, SshRequest request, ClassLoader appLoader) {
        this.appLoader = appLoader;
        this.gw = gw;
        this.targets = targets;
        this.request = request;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        this.channel = channel;
        SshAgentSession s = channel.getSession().getAttribute(SshProxyServer.AGENT_SESSION);
        Runnable work = () -> {
            Thread.currentThread().setContextClassLoader(appLoader);
            int status;
            try {
                status = s == null ? refuse("not authenticated") : run(s, env);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = EXIT_REFUSED;
            } catch (Exception e) {
                LOG.warnf("SSH %s failed: %s", request.kind(), e.getClass().getSimpleName());
                status = EXIT_REFUSED;
            }
            exit.onExit(status);
        };
        thread = Thread.ofVirtual().name("ssh-" + request.kind()).start(s == null ? work : s.context.wrap(work));
    }

    @Override
    public void destroy(ChannelSession channel) {
        ClientChannel t = target;
        if (t != null) {
            t.close(true);
        }
        Thread th = thread;
        if (th != null) {
            th.interrupt();
        }
    }

    /** Acting on the parsed request. */
    private int run(SshAgentSession s, Environment env) throws Exception {
        boolean readOnly =
                request.sftp() && !gw.config().ssh().sftpWriteLevels().contains(s.identity.access());
        JsonObject policyRequest = request.json();
        if (request.sftp()) {
            policyRequest.put("subsystem", "sftp").put("read_only", readOnly);
        }
        JsonObject recorded = policyRequest.copy();
        recorded.put("command", gw.masker().applyDetectors(RecordedRequests.DETECTORS, request.command()));
        // the analysis repeats the command's words unmasked; the recording keeps the masked command only
        recorded.remove("shell");
        Map<String, String> e = env.getEnv();
        int cols = intOr(e.get(Environment.ENV_COLUMNS), 80);
        int rows = intOr(e.get(Environment.ENV_LINES), 24);
        if ("shell".equals(request.kind())) {
            recorded.put(
                    "term",
                    new JsonObject()
                            .put("type", e.getOrDefault(Environment.ENV_TERM, "xterm"))
                            .put("cols", cols)
                            .put("rows", rows));
        }
        long requestSeq = s.emit(EventTypes.SESSION_REQUEST, recorded);
        Decision d = s.decide(policyRequest, requestSeq);
        if (d.action() == Decision.Action.DENY) {
            return refuse(d.message() + request.notReadOnly(s.identity.access()));
        }
        // write-ahead: the request and its decision are recorded before anything reaches the target
        if (!WriteAhead.awaitBlocking(gw.events(), s.recorder, requestSeq, s.recorder.lastSeq())) {
            return refuse(WriteAhead.REFUSAL);
        }
        if (request.sftp() && d.mask().stream().anyMatch(m -> m.detector() != null || m.column() != null)) {
            // file contents are relayed as they are; a decision that asks for masking cannot be honoured
            return refuse("SFTP refused: policy asks for masking and SFTP file contents cannot be masked"
                    + " (a policy that allows sftp must not attach mask rules to it)");
        }
        if (d.action() == Decision.Action.REVIEW) {
            if (!awaitReview(s, d, recorded, requestSeq)) {
                return EXIT_REFUSED;
            }
            // and the approval's decision before the command runs
            if (!WriteAhead.awaitBlocking(gw.events(), s.recorder, requestSeq, s.recorder.lastSeq())) {
                return refuse(WriteAhead.REFUSAL);
            }
        }
        ClientSession session;
        try {
            session = targets.open(s.connection, s.identity.access());
        } catch (TargetConnector.TargetException ex) {
            return refuse(ex.getMessage());
        }
        try {
            return request.sftp()
                    ? relaySftp(s, session, readOnly, requestSeq)
                    : relay(s, session, d.mask(), requestSeq, env, cols, rows);
        } finally {
            TargetConnector.closeQuietly(session);
        }
    }

    private boolean awaitReview(SshAgentSession s, Decision d, JsonObject recorded, long requestSeq) throws Exception {
        ReviewRequests.Pending pending = ReviewRequests.open(
                gw.holds(),
                gw.events(),
                s.recorder,
                s.identity,
                s.connection(),
                recorded,
                d,
                requestSeq,
                gw.config().review().timeout());
        notice("Portcullis: waiting for approval, review " + pending.reviewId()
                + (d.reasons().isEmpty() ? "" : " (" + String.join("; ", d.reasons()) + ")"));
        ReviewHolds.Outcome outcome;
        try {
            outcome =
                    pending.outcome().toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException ex) {
            gw.holds().abandon(pending.reviewId());
            throw ex;
        }
        if (outcome != ReviewHolds.Outcome.APPROVED) {
            refuse(ReviewRequests.refusal(pending.reviewId(), outcome));
            return false;
        }
        return true;
    }

    private int relay(
            SshAgentSession s,
            ClientSession session,
            List<MaskRule> mask,
            long requestSeq,
            Environment env,
            int cols,
            int rows)
            throws Exception {
        boolean shell = "shell".equals(request.kind());
        MaskingOutputStream o = new MaskingOutputStream(
                out, gw.masker(), mask, !shell, MAX_LINE, text -> output(s, requestSeq, "stdout", text));
        MaskingOutputStream er = new MaskingOutputStream(
                err, gw.masker(), mask, !shell, MAX_LINE, text -> output(s, requestSeq, "stderr", text));
        ClientChannel ch;
        EchoGate gate = null;
        if (shell) {
            PtyChannelConfiguration pty = new PtyChannelConfiguration();
            pty.setPtyType(env.getEnv().getOrDefault(Environment.ENV_TERM, "xterm"));
            pty.setPtyColumns(cols);
            pty.setPtyLines(rows);
            if (!env.getPtyModes().isEmpty()) {
                pty.setPtyModes(env.getPtyModes());
            }
            ChannelShell sh = session.createShellChannel(pty, Map.of());
            env.addSignalListener(
                    (c, sig) -> {
                        try {
                            sh.sendWindowChange(
                                    intOr(env.getEnv().get(Environment.ENV_COLUMNS), cols),
                                    intOr(env.getEnv().get(Environment.ENV_LINES), rows));
                        } catch (IOException ex) {
                            LOG.debugf("window change: %s", ex.getMessage());
                        }
                    },
                    Signal.WINCH);
            gate = new EchoGate(
                    line -> s.emit(
                            EventTypes.SESSION_REQUEST,
                            new JsonObject()
                                    .put("kind", "shell_line")
                                    .put("command", gw.masker().applyDetectors(RecordedRequests.DETECTORS, line))
                                    .put(SessionEventFields.SHELL_REQUEST_SEQ, requestSeq)),
                    () -> s.emit(
                            EventTypes.SESSION_REQUEST,
                            new JsonObject()
                                    .put("kind", "shell_line")
                                    .put("command", "")
                                    .put(
                                            "withheld",
                                            "typed while the terminal did not echo (e.g. at a password prompt)")
                                    .put(SessionEventFields.SHELL_REQUEST_SEQ, requestSeq)));
            sh.setIn(new CommandLineTap(in, gate));
            ch = sh;
        } else {
            ChannelExec ex = session.createExecChannel(request.command());
            ex.setIn(in);
            ch = ex;
        }
        ch.setOut(gate == null ? o : new EchoTap(o, gate));
        ch.setErr(er);
        target = ch;
        ch.open().verify(gw.config().ssh().backendConnectTimeout());
        ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
        o.drain();
        er.drain();
        if (gate != null) {
            gate.close();
        }
        Integer status = ch.getExitStatus();
        s.emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(requestSeq).put("exit_status", status).put("elapsed", s.elapsed()));
        return status == null ? 255 : status;
    }

    /** The sftp subsystem, packet by packet through {@link SftpRelay} (read-only below the write levels). */
    private int relaySftp(SshAgentSession s, ClientSession session, boolean readOnly, long requestSeq)
            throws Exception {
        SftpRelay relay = new SftpRelay(out, readOnly, op -> {
            JsonObject j = op.json().put(SessionEventFields.SFTP_REQUEST_SEQ, requestSeq);
            j.put("path", gw.masker().applyDetectors(RecordedRequests.DETECTORS, op.path()));
            s.emit(EventTypes.SESSION_REQUEST, j);
        });
        ClientChannel ch = session.createSubsystemChannel("sftp");
        ch.setIn(relay.fromAgent(in));
        ch.setOut(relay.toAgent());
        ch.setErr(err);
        target = ch;
        ch.open().verify(gw.config().ssh().backendConnectTimeout());
        ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
        Integer status = ch.getExitStatus();
        s.emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(requestSeq).put("exit_status", status).put("elapsed", s.elapsed()));
        return status == null ? 0 : status;
    }

    private void output(SshAgentSession s, long requestSeq, String stream, String text) {
        s.emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(requestSeq)
                        .put("stream", stream)
                        .put("elapsed", s.elapsed())
                        .put("data", text));
    }

    private int refuse(String message) throws IOException {
        notice("Portcullis: " + message);
        return EXIT_REFUSED;
    }

    private void notice(String message) throws IOException {
        err.write((message + "\r\n").getBytes(StandardCharsets.UTF_8));
        err.flush();
    }

    private static int intOr(String v, int dflt) {
        try {
            return v == null ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /**
     * Watches what the agent types into an interactive shell and hands each entered line to the {@link EchoGate}
     * (best effort: editing keys, history and completion are seen as raw bytes, not as the final line).
     */
    static final class CommandLineTap extends FilterInputStream {
        private final EchoGate gate;
        private final StringBuilder line = new StringBuilder();

        CommandLineTap(InputStream in, EchoGate gate) {
            super(in);
            this.gate = gate;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                see(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                see(b, off, n);
            }
            return n;
        }

        private void see(byte[] b, int off, int n) {
            for (int i = off; i < off + n; i++) {
                char c = (char) (b[i] & 0xff);
                if (c == '\r' || c == '\n') {
                    if (!line.isEmpty()) {
                        gate.typed(line.toString());
                    }
                    line.setLength(0);
                } else if (c == 0x7f || c == 0x08) {
                    if (!line.isEmpty()) {
                        line.setLength(line.length() - 1);
                    }
                } else if (c >= 0x20 && line.length() < 4096) {
                    if (line.isEmpty()) {
                        gate.lineStarted();
                    }
                    line.append(c);
                }
            }
        }
    }

    /** The target's output on its way to the agent, shown to the {@link EchoGate} first. */
    static final class EchoTap extends java.io.FilterOutputStream {
        private final EchoGate gate;

        EchoTap(OutputStream out, EchoGate gate) {
            super(out);
            this.gate = gate;
        }

        @Override
        public void write(int b) throws IOException {
            gate.output(new byte[] {(byte) b}, 0, 1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            gate.output(b, off, len);
            out.write(b, off, len);
        }
    }
}
