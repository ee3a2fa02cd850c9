package dev.portcullis.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import dev.portcullis.contracts.rules.ServiceConventions;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.Masker;

/**
 * The package convention and the rules the build checks (CONTRIBUTING.md, "Rules the build checks"), over the
 * main classes. The rules every service shares are contracts' {@link ServiceConventions}; a failure names the
 * class and the dependency. Fix the design, not the rule.
 */
@AnalyzeClasses(packages = "dev.portcullis.proxy", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests conventions = ArchTests.in(ServiceConventions.class);

    // ---- session-proxy: protocol code apart from the framework and from each other (docs/adr/0002)

    private static final String[] PROTOCOLS = {"..proxy.pg..", "..proxy.ssh..", "..proxy.http.."};

    /** Protocol packages are plain Java: a listener in the root package wires them (ADR 0002). */
    @ArchTest
    static final ArchRule protocolsFreeOfCdiAndQuarkus = noClasses()
            .that()
            .resideInAnyPackage(PROTOCOLS)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "jakarta.enterprise..",
                    "jakarta.inject..",
                    "io.quarkus..",
                    "io.smallrye.config..",
                    "org.eclipse.microprofile..");

    /** What the protocols share stays protocol-neutral, so PostgreSQL, SSH and HTTP enforce the same things. */
    @ArchTest
    static final ArchRule sharedCodeImportsNoProtocol = noClasses()
            .that()
            .resideInAnyPackage("..proxy.enforcement..", "..proxy.events..", "..proxy.auth..", "..proxy.policy..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(PROTOCOLS);

    // ---- one Masker and one DecisionCache for every protocol (ADR 0021, issue 14's drifts)

    /** A gateway building its own Masker would hash with another key: only MaskerProducer makes one. */
    @ArchTest
    static final ArchRule oneMasker = noClasses()
            .that()
            .doNotBelongToAnyOf(MaskerProducer.class, Masker.class)
            .should()
            .callConstructorWhere(JavaConstructorCall.Predicates.target(
                    HasOwner.Predicates.With.owner(JavaClass.Predicates.equivalentTo(Masker.class))))
            .because("every gateway masks with the injected Masker and its shared hash key");

    /** A cache of its own would miss the revision changes the others see: only DecisionCacheProducer makes one. */
    @ArchTest
    static final ArchRule oneDecisionCache = noClasses()
            .that()
            .doNotBelongToAnyOf(DecisionCacheProducer.class, DecisionCache.class)
            .should()
            .callConstructorWhere(JavaConstructorCall.Predicates.target(
                    HasOwner.Predicates.With.owner(JavaClass.Predicates.equivalentTo(DecisionCache.class))))
            .because("every protocol shares the one decision cache");
}
