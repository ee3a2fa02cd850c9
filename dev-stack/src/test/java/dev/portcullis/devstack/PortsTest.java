package dev.portcullis.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
}
