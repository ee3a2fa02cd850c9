package dev.portcullis.console;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.portcullis.contracts.rules.ServiceConventions;

/**
 * The package convention every service follows (CONTRIBUTING.md, "Rules the build checks"), over the console's main
 * classes. The console has no entities or repositories, so the rules about them check nothing here
 * ({@code archunit.properties}: an empty rule passes).
 */
@AnalyzeClasses(packages = "dev.portcullis.console", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests conventions = ArchTests.in(ServiceConventions.class);
}
