package dev.portcullis.broker.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a jwksUrl may resolve to by default (literals only: no name lookup here). */
class JwksUrlCheckTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.1.2.3",
                "0.0.0.0",
                "0.1.2.3",
                "10.0.0.1",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254", // cloud metadata
                "100.64.0.1",
                "198.18.0.1",
                "192.0.2.1",
                "224.0.0.1",
                "255.255.255.255",
                "::",
                "::1",
                "fe80::1",
                "fc00::1",
                "fd12:3456::1",
                "ff02::1",
                "::ffff:127.0.0.1", // IPv4-mapped
                "::ffff:169.254.169.254",
                "::127.0.0.1", // IPv4-compatible
                "64:ff9b::a00:1", // NAT64 of 10.0.0.1
                "2002:7f00:1::1", // 6to4 of 127.0.0.1
                "2001:db8::1"
            })
    void internalAndReservedAddressesAreNotPublic(String literal) throws Exception {
        assertFalse(JwksUrlCheck.isPublic(InetAddress.getByName(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808"})
    void publicAddressesArePublic(String literal) throws Exception {
        assertTrue(JwksUrlCheck.isPublic(InetAddress.getByName(literal)), literal);
    }
}
