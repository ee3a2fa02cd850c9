package dev.portcullis.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port helpers: free ports for tests, a clear error when a fixed port is taken. */
public final class Ports {

    /** Linux publishes the range it takes outgoing connections' local ports from here. */
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** Lowest port handed out: above the registered services most machines run (8080, 9092, …). */
    static final int FLOOR = 20000;

    /**
     * Every port {@link #free()} returned in this JVM. A port is only free until the server it was meant for binds it,
     * and callers pick several before starting any (the stack's eight service ports): without this, two of them could
     * be given the same one, and the second server's readiness probe would be answered by the first.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /**
     * A port that was free on 127.0.0.1 a moment ago, chosen <em>below</em> the kernel's ephemeral range. A port the
     * kernel picked for {@code bind(0)} lies inside that range, so any outgoing connection opened before the server
     * that was meant to have it binds (Keycloak takes ~15 s to get there) may take it as its local port: a clean-clone
     * CI run lost Keycloak's start to exactly that ("Port already bound: 33399"). Ports below the range are only ever
     * taken by a server that asks for them.
     */
    public static int free() {
        int ceiling = ephemeralLow() - 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (ceiling - FLOOR >= 1000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = random.nextInt(FLOOR, ceiling + 1);
                if (isFree(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        // no room below the range (an unusual ip_local_port_range): fall back to the kernel's choice
        for (int attempt = 0; attempt < 200; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new DevStackException("could not find a free port on 127.0.0.1", e);
            }
        }
        throw new DevStackException("could not find a free port on 127.0.0.1 that was not handed out before");
    }

    /** The low end of the kernel's ephemeral port range; IANA's 49152 where the kernel does not say. */
    static int ephemeralLow() {
        try {
            // readAllLines, not readString: procfs reports size 0, and readString then returned one byte ("3")
            String[] range =
                    String.join(" ", Files.readAllLines(EPHEMERAL_RANGE)).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 49152;
        }
    }

    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a message naming the component and how to move it when {@code port} is in use. */
    public static void requireFree(int port, String what, String setting) {
        if (!isFree(port)) {
            throw new DevStackException("port " + port + " for " + what + " is already in use on 127.0.0.1."
                    + " Stop whatever listens there (`ss -ltnp 'sport = :" + port + "'` shows it)"
                    + (setting == null ? "" : " or choose another port with " + setting) + ".");
        }
    }
}
