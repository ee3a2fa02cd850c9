package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.proxy.connection.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.jboss.logging.Logger;

/**
 * The client side toward SSH targets: one MINA {@link SshClient} per connection, each verifying
 * the target's host key against that connection's {@code knownHosts} (unknown or changed keys are
 * refused; no knownHosts means no connection), then logging in with the stored password or key.
 * Blocking: call from the channel's own thread.
 */
final class TargetConnector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TargetConnector.class);
    static final AttributeKey<Boolean> HOST_KEY_REJECTED = new AttributeKey<>();

    /** Why the target could not be reached; the message is safe to show the agent (no credential). */
    static final class TargetException extends Exception {
        TargetException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Ciphers of both hops, AES first: the JDK runs AES-GCM and AES-CTR on the CPU's AES
     * instructions, whereas MINA's chacha20-poly1305 (its default first choice) is plain Java and
     * about a third as fast. No CBC.
     */
    static final List<NamedFactory<Cipher>> CIPHERS = List.of(
            BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256gcm,
            BuiltinCiphers.aes128ctr,
            BuiltinCiphers.aes192ctr,
            BuiltinCiphers.aes256ctr);

    private final Duration timeout;
    private final Map<String, SshClient> clients = new ConcurrentHashMap<>();
    /** Connections already warned about for sharing the read account with write/admin. */
    private final java.util.Set<String> sharedReadWarned = ConcurrentHashMap.newKeySet();
    /** When each connection's target last failed host-key verification (System.nanoTime()). */
    private final Map<String, AtomicLong> hostKeyRejectedAt = new ConcurrentHashMap<>();

    TargetConnector(Duration timeout) {
        this.timeout = timeout;
    }

    /** Logs in to the target of {@code c} with the credentials of {@code access}, the level the session's token grants. */
    ClientSession open(Connection c, String access) throws TargetException {
        if (c.knownHosts() == null || !Files.isReadable(Path.of(c.knownHosts()))) {
            throw new TargetException(
                    "connection " + c.name() + " has no readable knownHosts file; refusing to connect");
        }
        Credentials cred = Targets.credentials(c, access)
                .filter(k -> k.username() != null)
                .orElseThrow(() ->
                        new TargetException("connection " + c.name() + " has no credentials for access " + access));
        if ("read".equals(access)
                && !c.credentialsPerLevel()
                && (c.offers(AccessLevel.WRITE) || c.offers(AccessLevel.ADMIN))
                && sharedReadWarned.add(c.name())) {
            // the target then enforces nothing a read grant does not (docs/architecture.md "Connections")
            LOG.warnf(
                    "connection %s gives read sessions the same target account as write/admin; give it"
                            + " credentials per level with an unprivileged read account",
                    c.name());
        }
        SshClient client = clients.computeIfAbsent(c.name(), n -> newClient(c));
        ClientSession session = null;
        long attempt = System.nanoTime();
        try {
            session = client.connect(cred.username(), Targets.host(c), Targets.port(c))
                    .verify(timeout)
                    .getSession();
            if (cred.privateKeyFile() != null) {
                for (KeyPair kp : new FileKeyPairProvider(Path.of(cred.privateKeyFile())).loadKeys(session)) {
                    session.addPublicKeyIdentity(kp);
                }
            }
            if (cred.passwordFile() != null || cred.passwordEnv() != null) {
                session.addPasswordIdentity(new String(Targets.readPassword(c, cred)));
            }
            session.auth().verify(timeout);
            return session;
        } catch (Exception e) {
            // the key exchange may fail before connect() hands out the session, so the verifier's
            // per-connection timestamp is checked too, not only the session attribute
            AtomicLong rejected = hostKeyRejectedAt.get(c.name());
            boolean hostKey = (session != null && Boolean.TRUE.equals(session.getAttribute(HOST_KEY_REJECTED)))
                    || (rejected != null && rejected.get() - attempt >= 0);
            if (session != null) {
                session.close(true);
            }
            if (hostKey) {
                LOG.warnf(
                        "target %s:%d of connection %s presented a host key not in its knownHosts: refused",
                        Targets.host(c), Targets.port(c), c.name());
                throw new TargetException("host key verification of the target of " + c.name()
                        + " failed (not in its knownHosts); refusing to connect");
            }
            // exception texts of MINA name hosts and users, never passwords; still keep them out of the client's view
            LOG.warnf(
                    "cannot open the target of connection %s: %s",
                    c.name(), e.getClass().getSimpleName());
            throw new TargetException("cannot open the target of connection " + c.name());
        }
    }

    private SshClient newClient(Connection c) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setCipherFactories(CIPHERS);
        Path knownHosts = Path.of(c.knownHosts());
        ServerKeyVerifier verifier = (session, address, key) -> {
            // read anew for every login, so an edited knownHosts takes effect without a restart
            KnownHostsServerKeyVerifier known =
                    new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts) {
                        @Override
                        public boolean acceptModifiedServerKey(
                                ClientSession s,
                                java.net.SocketAddress a,
                                org.apache.sshd.client.config.hosts.KnownHostEntry entry,
                                java.security.PublicKey expected,
                                java.security.PublicKey actual) {
                            return false;
                        }
                    };
            boolean ok = known.verifyServerKey(session, address, key);
            if (!ok) {
                session.setAttribute(HOST_KEY_REJECTED, Boolean.TRUE);
                hostKeyRejectedAt
                        .computeIfAbsent(c.name(), n -> new AtomicLong())
                        .set(System.nanoTime());
            }
            return ok;
        };
        client.setServerKeyVerifier(verifier);
        client.start();
        return client;
    }

    @Override
    public void close() {
        clients.values().forEach(cl -> {
            try {
                cl.stop();
            } catch (RuntimeException e) {
                LOG.debugf("stopping an SSH client: %s", e.getMessage());
            }
        });
    }

    static void closeQuietly(ClientSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debugf("closing a target session: %s", e.getMessage());
            }
        }
    }
}
