package dev.portcullis.devstack.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The files of a local stack under {@code <repo>/.portcullis}: logs, pid files, persistent data,
 * generated configuration and the state `up` publishes for `status`, `env` and `down`.
 */
record StackLayout(Path root, Path home) {

    static StackLayout of(Path repoRoot) {
        return new StackLayout(
                repoRoot.toAbsolutePath().normalize(),
                repoRoot.toAbsolutePath().normalize().resolve(".portcullis"));
    }

    Path logs() {
        return home.resolve("logs");
    }

    Path log(String component) {
        return logs().resolve(component + ".log");
    }

    Path run() {
        return home.resolve("run");
    }

    Path pid(String component) {
        return run().resolve(component + ".pid");
    }

    Path supervisorPid() {
        return run().resolve("launcher.pid");
    }

    /** starting | ready | failed: message */
    Path state() {
        return run().resolve("state");
    }

    /** One line per component as it becomes ready (`up` writes, `up -d`'s await prints). */
    Path progress() {
        return run().resolve("progress");
    }

    Path summary() {
        return run().resolve("summary.txt");
    }

    /** Endpoints and dev-only credentials of the running stack (mode 600). */
    Path endpoints() {
        return run().resolve("stack.properties");
    }

    Path secrets() {
        return home.resolve("secrets");
    }

    Path config() {
        return home.resolve("config");
    }

    Path recordings() {
        return home.resolve("recordings");
    }

    String readState() {
        try {
            return Files.exists(state()) ? Files.readString(state()).trim() : "";
        } catch (IOException e) {
            return "";
        }
    }

    void writeState(String state) throws IOException {
        Files.createDirectories(run());
        Files.writeString(state(), state);
    }

    /** {@code failed: } and the first line of why, which `up -d`'s await prints. */
    void writeFailed(Exception why) throws IOException {
        writeState("failed: "
                + String.valueOf(why.getMessage()).lines().findFirst().orElse(""));
    }

    Properties readEndpoints() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(endpoints(), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    void writeEndpoints(Properties p) throws IOException {
        writePrivate(endpoints(), "");
        try (Writer w = Files.newBufferedWriter(endpoints(), StandardCharsets.UTF_8)) {
            p.store(w, "Portcullis dev stack (DEV-ONLY credentials; written by bin/portcullis up)");
        }
    }

    /** Writes a file readable by the owner only (secrets, generated credentials). */
    static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
