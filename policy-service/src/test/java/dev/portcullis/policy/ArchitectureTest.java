package dev.portcullis.policy;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.portcullis.contracts.rules.ServiceConventions;

/**
 * The package convention and the rules the build checks (CONTRIBUTING.md, "Rules the build checks"), over the
 * main classes. The rules every service shares are contracts' {@link ServiceConventions}; a failure names the
 * class and the dependency. Fix the design, not the rule.
 */
@AnalyzeClasses(packages = "dev.portcullis.policy", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests conventions = ArchTests.in(ServiceConventions.class);
}
