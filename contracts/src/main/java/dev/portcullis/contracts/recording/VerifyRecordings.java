package dev.portcullis.contracts.recording;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The offline verifier (docs/architecture.md "Recordings"): checks downloaded event files against public keys
 * pinned out of band, trusting nothing the recorder says. Needs only a JDK 21:
 *
 * <pre>java -jar contracts/target/contracts-*.jar --key recorder-2026.pub [--key older.pub] FILE-OR-DIR...</pre>
 *
 * A directory is read for its {@code *.jsonl} and {@code *.jsonl.gz} files (stored compressed, {@link StoredEncoding}); with more than one file, the set is also checked for
 * recordings deleted between them ({@link LedgerCheck}). Exit status 0 when every file and the set are valid,
 * 1 when not, 2 on a usage error.
 */
public final class VerifyRecordings {

    private VerifyRecordings() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The CLI without exiting: its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<PublicKey> keys = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--key") && i + 1 < args.length) {
                    keys.addAll(SigningKeys.readPublicKeys(Path.of(args[++i])));
                } else if (args[i].startsWith("-")) {
                    return usage(err, "unknown option " + args[i]);
                } else {
                    files.addAll(expand(Path.of(args[i])));
                }
            }
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (keys.isEmpty() || files.isEmpty()) {
            return usage(err, keys.isEmpty() ? "no --key given" : "no file given");
        }
        Map<String, PublicKey> trusted = SigningKeys.byId(keys);
        boolean allValid = true;
        List<RecordingCheck.Result> results = new ArrayList<>();
        for (Path f : files) {
            RecordingCheck.Result r;
            try (InputStream in = Files.newInputStream(f)) {
                r = RecordingCheck.verify(in, trusted);
            } catch (IOException e) {
                out.println("INVALID " + f + ": " + e.getMessage());
                allValid = false;
                continue;
            }
            results.add(r);
            allValid &= r.valid();
            out.println((r.valid() ? "VALID " : "INVALID ") + f + " session=" + r.sessionId() + " status=" + r.status()
                    + " events=" + r.events() + " key=" + r.keyId() + " ledger=#" + r.ledgerIndex() + " sha256="
                    + r.sha256());
            r.problems().forEach(p -> out.println("  " + p));
        }
        if (files.size() > 1) {
            List<String> set = LedgerCheck.check(results);
            set.forEach(p -> out.println("SET: " + p));
            allValid &= set.isEmpty();
        }
        return allValid ? 0 : 1;
    }

    private static List<Path> expand(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.endsWith(".jsonl") || n.endsWith(".jsonl" + StoredEncoding.GZIP_SUFFIX);
                    })
                    .sorted()
                    .toList();
        }
    }

    private static int usage(PrintStream err, String why) {
        err.println("error: " + why);
        err.println("usage: java -jar contracts.jar --key PUBLIC-KEY.pem [--key ...] FILE-OR-DIRECTORY...");
        return 2;
    }
}
