package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The broker keys this proxy pins for control events (contracts' {@link ControlEventSignature}, docs/architecture.md
 * "Events"), and the account of the events that were not signed by one: counted ({@code
 * portcullis.control-events.unauthenticated}, by type, verdict and outcome) and logged once per episode, an episode
 * ending with the next authentic event, so a flood of forgeries is one log line, not one per record.
 */
@ApplicationScoped
public class ControlEventTrust {

    private static final Logger LOG = Logger.getLogger(ControlEventTrust.class);

    /** What the listener did with an unauthenticated event. */
    public enum Outcome {
        /** An approval: not believed, the hold expires (fail closed). */
        IGNORED,
        /** A denial, an expiry or a kill switch: applied anyway, since ignoring it would fail open. */
        APPLIED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String METRIC = "portcullis.control-events.unauthenticated";

    private final Map<String, PublicKey> pinned;
    private final MeterRegistry meters;
    /** Unauthenticated events since the last authentic one; only the consumer thread writes it. */
    private long thisEpisode;

    @Inject
    ControlEventTrust(ProxyConfig config, MeterRegistry meters) {
        this(config.events().enabled() ? load(config.controlEvents()) : Map.of(), meters);
    }

    /** Tests: these keys, counted in a registry of its own. */
    public ControlEventTrust(Map<String, PublicKey> pinned) {
        this(pinned, new SimpleMeterRegistry());
    }

    ControlEventTrust(Map<String, PublicKey> pinned, MeterRegistry meters) {
        this.pinned = Map.copyOf(pinned);
        this.meters = meters;
        if (!pinned.isEmpty()) {
            LOG.infof("control events: believing review approvals signed by %s", pinned.keySet());
        }
    }

    /** The pinned keys by id; refuses to start without any (no approval could ever be believed). */
    static Map<String, PublicKey> load(ProxyConfig.ControlEvents config) {
        List<String> paths = config.publicKeys().orElse(List.of()).stream()
                .filter(p -> !p.isBlank())
                .toList();
        if (paths.isEmpty()) {
            throw new IllegalStateException("portcullis.control-events.public-keys is not set: review approvals "
                    + "are believed only when signed by a pinned broker key (docs/architecture.md \"Events\")");
        }
        List<PublicKey> keys = new ArrayList<>();
        for (String p : paths) {
            try {
                for (Path file : files(Path.of(p))) {
                    keys.addAll(SigningKeys.readPublicKeys(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.control-events.public-keys: " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("portcullis.control-events.public-keys " + paths + ": no public key");
        }
        return SigningKeys.byId(keys);
    }

    /** A file, or the {@code *.pem} and {@code *.pub} files of a directory (a mounted Secret's keys). */
    private static List<Path> files(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(f -> {
                        String n = f.getFileName().toString();
                        return Files.isRegularFile(f) && (n.endsWith(".pem") || n.endsWith(".pub"));
                    })
                    .sorted()
                    .toList();
        }
    }

    public Map<String, PublicKey> pinned() {
        return pinned;
    }

    /** Checks one record's value; an authentic one ends an episode of unauthenticated ones. */
    public ControlEventSignature.Result check(String value) {
        ControlEventSignature.Result r = ControlEventSignature.verify(pinned, value);
        if (r.authentic() && thisEpisode > 0) {
            LOG.infof("control events: signed by a pinned key again (%d unauthenticated before)", thisEpisode);
            thisEpisode = 0;
        }
        return r;
    }

    /** Accounts for an event of {@code type} that was not authentic, and what was done with it. */
    public void unauthenticated(String type, ControlEventSignature.Result r, Outcome outcome) {
        Counter.builder(METRIC)
                .description("control events not signed by a pinned broker key")
                .tag("type", type)
                .tag("verdict", r.verdict().name().toLowerCase(Locale.ROOT))
                .tag("outcome", outcome.toString())
                .register(meters)
                .increment();
        if (thisEpisode++ == 0) {
            LOG.warnf(
                    "control events: %s not signed by a pinned broker key (%s%s), %s; further ones are counted in %s "
                            + "until a signed one arrives",
                    type,
                    r.verdict(),
                    r.keyId() == null ? "" : ", key id " + printable(r.keyId()),
                    outcome == Outcome.IGNORED
                            ? "ignored: its hold expires"
                            : "applied anyway: ignoring it would fail open",
                    METRIC);
        }
    }

    /** A key id from the record as it may go in a log line: the attacker chose it. */
    private static String printable(String keyId) {
        return keyId.length() <= 64
                        && keyId.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'))
                ? keyId
                : "(not a key id)";
    }

    /** How many unauthenticated events had this outcome (tests, and what the metric says). */
    public double count(Outcome outcome) {
        return meters.find(METRIC).tag("outcome", outcome.toString()).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
