package dev.portcullis.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void freePortsComeFromBelowTheEphemeralRangeSoNoOutgoingConnectionCanTakeThem() throws IOException {
        int low = Ports.ephemeralLow();
        for (int i = 0; i < 50; i++) {
            int port = Ports.free();
            assertTrue(port >= Ports.FLOOR && port < low, port + " is not in [" + Ports.FLOOR + ", " + low + ")");
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, server.getLocalPort());
                assertFalse(Ports.isFree(port));
            }
        }
    }

    @Test
    void freeNeverHandsOutAPortTwiceEvenBeforeItsServerBindsIt() {
        // the stack picks its eight service ports before starting any; 600 picks among ~12,700 ports collide
        // almost surely when each pick only checks that the port is free at that moment
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            int port = Ports.free();
            assertTrue(seen.add(port), "port " + port + " handed out twice");
        }
    }
}
