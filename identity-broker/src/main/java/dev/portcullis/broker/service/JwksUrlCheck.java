package dev.portcullis.broker.service;

import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.config.BrokerConfig.JwksUrlTargets;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where an agent's {@code jwksUrl} may point (docs/architecture.md "Tokens"). Keycloak fetches the URL whenever it
 * needs the agent's keys, so an unchecked URL lets whoever registers an agent make Keycloak call an internal address,
 * and an http URL lets anyone on the path substitute the keys. By default ({@code public}) the URL is https and its
 * host resolves only to public addresses; {@code private} allows any address, {@code insecure} http too.
 *
 * <p>The host is resolved once, at registration; a name that later resolves elsewhere is not caught here
 * (Keycloak's egress NetworkPolicy is the backstop, docs/architecture.md "Tokens").
 */
@ApplicationScoped
public class JwksUrlCheck {

    /** Ranges that are not the public internet, beyond what {@link InetAddress}'s own predicates cover. */
    private static final List<Cidr> NON_PUBLIC = List.of(
            Cidr.of("0.0.0.0", 8), // "this network"
            Cidr.of("100.64.0.0", 10), // carrier-grade NAT
            Cidr.of("192.0.0.0", 24), // IETF protocol assignments
            Cidr.of("192.0.2.0", 24), // documentation
            Cidr.of("198.18.0.0", 15), // benchmarking
            Cidr.of("198.51.100.0", 24), // documentation
            Cidr.of("203.0.113.0", 24), // documentation
            Cidr.of("240.0.0.0", 4), // reserved, broadcast
            Cidr.of("fc00::", 7), // unique local
            Cidr.of("2001:db8::", 32), // documentation
            Cidr.of("100::", 64)); // discard-only

    private final JwksUrlTargets targets;
    private final Vertx vertx;

    public JwksUrlCheck(BrokerConfig config, Vertx vertx) {
        this.targets = config.agents().jwksUrlTargets();
        this.vertx = vertx;
    }

    /** Completes when {@code url} may be used; fails with a 422 saying why not. Resolves the host on a worker. */
    public Uni<Void> check(String url) {
        URI uri = parse(url);
        if (targets != JwksUrlTargets.INSECURE
                && !"https".equals(uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw ProblemException.unprocessable("jwksUrl must be an https URL");
        }
        if (targets != JwksUrlTargets.PUBLIC) {
            return Uni.createFrom().voidItem();
        }
        String host = uri.getHost();
        return vertx.executeBlocking(
                () -> {
                    InetAddress[] addresses;
                    try {
                        addresses = InetAddress.getAllByName(host);
                    } catch (UnknownHostException e) {
                        throw ProblemException.unprocessable("the host of jwksUrl cannot be resolved");
                    }
                    for (InetAddress a : addresses) {
                        if (!isPublic(a)) {
                            throw ProblemException.unprocessable("jwksUrl must point to a public address; " + host
                                    + " resolves to a loopback, link-local, private or reserved one");
                        }
                    }
                    return null;
                },
                false);
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ProblemException.unprocessable("jwksUrl is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw ProblemException.unprocessable("jwksUrl must be an absolute http(s) URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw ProblemException.unprocessable("jwksUrl must not carry user information");
        }
        return uri;
    }

    /** Whether an address is on the public internet: none of the local, private or reserved ranges. */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        if (a instanceof Inet6Address v6) {
            InetAddress embedded = embeddedIpv4(v6.getAddress());
            if (embedded != null && !isPublic(embedded)) {
                return false;
            }
        }
        return NON_PUBLIC.stream().noneMatch(c -> c.contains(a));
    }

    /**
     * The IPv4 address an IPv6 one carries and that a host may reach through it: IPv4-compatible ({@code ::a.b.c.d}),
     * NAT64 ({@code 64:ff9b::/96}) and 6to4 ({@code 2002::/16}). (IPv4-mapped addresses are already an {@link
     * Inet4Address} when Java parses them.)
     */
    private static InetAddress embeddedIpv4(byte[] b) {
        try {
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            for (int i = 4; nat64 && i < 12; i++) {
                nat64 = b[i] == 0;
            }
            if (compatible || nat64) {
                return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if ((b[0] & 0xff) == 0x20 && b[1] == 0x02) {
                return InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]});
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address range; literal addresses only (no name lookup). */
    record Cidr(byte[] network, int prefix) {
        static Cidr of(String literal, int prefix) {
            try {
                return new Cidr(InetAddress.getByName(literal).getAddress(), prefix);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(literal, e);
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
