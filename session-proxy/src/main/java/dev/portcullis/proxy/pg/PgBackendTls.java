package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.connection.Targets;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TLS toward PostgreSQL targets, verified as libpq's {@code sslmode=verify-full} does (docs/architecture.md
 * "Connections"): the target's certificate must chain to the connection's {@code tls.caFile} (else the JVM's trust
 * store) and name {@code tls.serverName} (else the address's host), which is also sent as SNI. There is no mode
 * that skips either check. One client per CA file, since Vert.x binds the trust to the client; created on first
 * use.
 */
public final class PgBackendTls {

    private final Vertx vertx;
    private final int connectTimeoutMillis;
    private final Map<String, NetClient> clients = new ConcurrentHashMap<>();

    public PgBackendTls(Vertx vertx, int connectTimeoutMillis) {
        this.vertx = vertx;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /**
     * The client for {@code c}'s target: it connects in plaintext (PostgreSQL's SSLRequest comes first), and its
     * upgrade to TLS checks the chain and the host name.
     */
    NetClient client(Connection c) {
        String ca = c.tls() == null || c.tls().caFile() == null ? "" : c.tls().caFile();
        return clients.computeIfAbsent(ca, k -> {
            NetClientOptions o = new NetClientOptions()
                    .setConnectTimeout(connectTimeoutMillis)
                    .setTcpNoDelay(true)
                    .setTrustAll(false)
                    // RFC 2818 host name checks, as for HTTPS
                    .setHostnameVerificationAlgorithm("HTTPS");
            if (!k.isEmpty()) {
                o.setTrustOptions(new PemTrustOptions().addCertPath(k));
            }
            return vertx.createNetClient(o);
        });
    }

    /**
     * The target's address, resolved, under the name its certificate must carry: Vert.x checks the certificate
     * against the peer's host name, which would otherwise be the address's host rather than {@code tls.serverName}.
     * Blocking (DNS).
     */
    static SocketAddress peer(Connection c) throws UnknownHostException {
        InetAddress ip = InetAddress.getByName(Targets.host(c));
        InetAddress named = InetAddress.getByAddress(serverName(c), ip.getAddress());
        return SocketAddress.inetSocketAddress(new InetSocketAddress(named, Targets.port(c)));
    }

    /** The name the target's certificate must carry: {@code tls.serverName}, else the address's host. */
    static String serverName(Connection c) {
        return c.tls() != null && c.tls().serverName() != null ? c.tls().serverName() : Targets.host(c);
    }
}
