package dev.portcullis.proxy.ssh;

import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXF_APPEND;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXF_CREAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXF_EXCL;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXF_TRUNC;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXF_WRITE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_CLOSE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_EXTENDED;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_FSTAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_INIT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_LSTAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_MKDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_OPEN;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_OPENDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_READ;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_READDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_READLINK;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_REALPATH;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_REMOVE;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_RENAME;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_RMDIR;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_SETSTAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_STAT;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_STATUS;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FXP_SYMLINK;
import static org.apache.sshd.sftp.common.SftpConstants.SSH_FX_PERMISSION_DENIED;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Relays one SFTP subsystem between agent and target packet by packet (SFTP v3, the version
 * OpenSSH speaks): every file operation is reported for the recording, and in read-only mode the
 * ones that would change anything (writes, opens for writing or creating, remove, rename, mkdir,
 * rmdir, setstat, symlink, unknown extensions) never reach the target: the agent gets
 * {@code SSH_FX_PERMISSION_DENIED} for them, in the protocol's own shape. Both directions are
 * framed, so a refusal is never spliced into the middle of a target reply.
 */
final class SftpRelay {

    /** An SFTP packet may not be larger than this (OpenSSH's own limit is 256 KiB). */
    static final int MAX_PACKET = 1024 * 1024;

    private static final Set<String> READ_ONLY_EXTENSIONS = Set.of(
            "statvfs@openssh.com",
            "fstatvfs@openssh.com",
            "limits@openssh.com",
            "expand-path@openssh.com",
            "home-directory",
            "users-groups-by-id@openssh.com");
    private static final Set<Integer> READS = Set.of(
            SSH_FXP_CLOSE,
            SSH_FXP_READ,
            SSH_FXP_LSTAT,
            SSH_FXP_FSTAT,
            SSH_FXP_OPENDIR,
            SSH_FXP_READDIR,
            SSH_FXP_REALPATH,
            SSH_FXP_STAT,
            SSH_FXP_READLINK);

    /** One file operation as recorded: what, on which path, and whether the proxy refused it. */
    record Op(String op, String path, String target, boolean denied) {
        JsonObject json() {
            JsonObject o = new JsonObject()
                    .put("kind", "sftp_op")
                    .put("op", op)
                    .put("path", path)
                    .put("denied", denied);
            if (target != null) {
                o.put("target", target);
            }
            return o;
        }
    }

    private final boolean readOnly;
    private final Consumer<Op> recorder;
    private final OutputStream toAgent;
    private final Object agentLock = new Object();

    SftpRelay(OutputStream toAgent, boolean readOnly, Consumer<Op> recorder) {
        this.toAgent = toAgent;
        this.readOnly = readOnly;
        this.recorder = recorder;
    }

    /** What the target is fed: the agent's packets, minus the refused ones. */
    InputStream fromAgent(InputStream agent) {
        DataInputStream in = new DataInputStream(agent);
        return new InputStream() {
            private ByteBuffer current = ByteBuffer.allocate(0);

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (!current.hasRemaining()) {
                    byte[] packet = readPacket(in);
                    if (packet == null) {
                        return -1;
                    }
                    current = ByteBuffer.wrap(inspect(packet));
                }
                int n = Math.min(len, current.remaining());
                current.get(b, off, n);
                return n;
            }
        };
    }

    /** Where the target's replies go: whole packets to the agent. */
    OutputStream toAgent() {
        return new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                pending.write(b, off, len);
                byte[] buf = pending.toByteArray();
                int pos = 0;
                while (buf.length - pos >= 4) {
                    int length = ByteBuffer.wrap(buf, pos, 4).getInt();
                    if (length < 1 || length > MAX_PACKET) {
                        throw new IOException("SFTP reply of " + length + " bytes exceeds the limit of " + MAX_PACKET);
                    }
                    if (buf.length - pos - 4 < length) {
                        break;
                    }
                    sendToAgent(buf, pos, 4 + length);
                    pos += 4 + length;
                }
                pending.reset();
                pending.write(buf, pos, buf.length - pos);
            }

            @Override
            public void flush() throws IOException {
                synchronized (agentLock) {
                    toAgent.flush();
                }
            }
        };
    }

    private void sendToAgent(byte[] b, int off, int len) throws IOException {
        synchronized (agentLock) {
            toAgent.write(b, off, len);
            toAgent.flush();
        }
    }

    /** Reads one whole packet (length prefix included); null at a clean end of stream. */
    static byte[] readPacket(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 1 || length > MAX_PACKET) {
            throw new IOException("SFTP packet of " + length + " bytes exceeds the limit of " + MAX_PACKET);
        }
        byte[] packet = new byte[4 + length];
        ByteBuffer.wrap(packet).putInt(length);
        in.readFully(packet, 4, length);
        return packet;
    }

    /** The bytes to forward for one agent packet (empty when refused and answered here). */
    byte[] inspect(byte[] packet) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(packet, 4, packet.length - 4);
        int type = b.get() & 0xff;
        if (type == SSH_FXP_INIT) {
            if (readOnly && b.remaining() >= 4 && b.getInt(5) > 3) {
                // ask for v3: its open flags are the ones checked below
                byte[] copy = packet.clone();
                ByteBuffer.wrap(copy).putInt(5, 3);
                return copy;
            }
            return packet;
        }
        int id = b.remaining() >= 4 ? b.getInt() : 0;
        Op op;
        boolean write;
        try {
            switch (type) {
                case SSH_FXP_OPEN -> {
                    String path = string(b);
                    int flags = b.getInt();
                    write = (flags & (SSH_FXF_WRITE | SSH_FXF_APPEND | SSH_FXF_CREAT | SSH_FXF_TRUNC | SSH_FXF_EXCL))
                            != 0;
                    op = new Op(write ? "open_write" : "open_read", path, null, readOnly && write);
                }
                case SSH_FXP_OPENDIR -> {
                    op = new Op("opendir", string(b), null, false);
                    write = false;
                }
                case SSH_FXP_REMOVE, SSH_FXP_MKDIR, SSH_FXP_RMDIR, SSH_FXP_SETSTAT -> {
                    String name = switch (type) {
                        case SSH_FXP_REMOVE -> "remove";
                        case SSH_FXP_MKDIR -> "mkdir";
                        case SSH_FXP_RMDIR -> "rmdir";
                        default -> "setstat";
                    };
                    op = new Op(name, string(b), null, readOnly);
                    write = true;
                }
                case SSH_FXP_RENAME, SSH_FXP_SYMLINK -> {
                    String from = string(b);
                    String to = string(b);
                    op = new Op(type == SSH_FXP_RENAME ? "rename" : "symlink", from, to, readOnly);
                    write = true;
                }
                case SSH_FXP_EXTENDED -> {
                    String name = string(b);
                    write = !READ_ONLY_EXTENSIONS.contains(name);
                    op = write ? new Op("extended:" + name, "", null, readOnly) : null;
                }
                default -> {
                    write = !READS.contains(type);
                    op = write && readOnly ? new Op("type:" + type, "", null, true) : null;
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("malformed SFTP packet of type " + type);
        }
        if (op != null) {
            recorder.accept(op);
        }
        if (readOnly && write) {
            deny(id, "Portcullis: read-only SFTP session (the token's access level does not allow writing)");
            return new byte[0];
        }
        return packet;
    }

    private void deny(int id, String message) throws IOException {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        ByteBuffer status = ByteBuffer.allocate(4 + 1 + 4 + 4 + 4 + msg.length + 4);
        status.putInt(status.capacity() - 4)
                .put((byte) SSH_FXP_STATUS)
                .putInt(id)
                .putInt(SSH_FX_PERMISSION_DENIED)
                .putInt(msg.length)
                .put(msg)
                .putInt(0);
        sendToAgent(status.array(), 0, status.capacity());
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("string length");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
