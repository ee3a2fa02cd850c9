package dev.portcullis.devstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback port helpers: free ports for tests, a clear error when a fixed port is taken. */
public final class Ports {

    private Ports() {}

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new DevStackException("could not find a free port on 127.0.0.1", e);
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
