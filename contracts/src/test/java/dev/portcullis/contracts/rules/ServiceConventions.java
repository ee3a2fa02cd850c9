package dev.portcullis.contracts.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package convention every service follows (CONTRIBUTING.md, "Package convention"), as ArchUnit rules
 * declared once. Each service's {@code ArchitectureTest} imports its own main classes and includes these with
 * {@code @ArchTest static final ArchTests conventions = ArchTests.in(ServiceConventions.class);}, then adds its
 * own rules. Annotations are named by string, so a service without JPA or REST on its classpath still loads them.
 */
public final class ServiceConventions {

    /** No cycles between a service's top-level packages ({@code dev.portcullis.<service>.<package>}). */
    @ArchTest
    static final ArchRule noPackageCycles =
            slices().matching("dev.portcullis.(*).(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule entitiesInEntity = classes()
            .that()
            .areAnnotatedWith("jakarta.persistence.Entity")
            .should()
            .resideInAPackage("..entity..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule entityHoldsOnlyEntities = classes()
            .that()
            .resideInAPackage("..entity..")
            .and()
            .areTopLevelClasses()
            .should()
            .beAnnotatedWith("jakarta.persistence.Entity")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule repositoriesInRepository = classes()
            .that()
            .haveSimpleNameEndingWith("Repository")
            .or()
            .areAssignableTo("io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase")
            .should()
            .resideInAPackage("..repository..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule resourcesAndMappersInRest = classes()
            .that()
            .areAnnotatedWith("jakarta.ws.rs.Path")
            .or()
            .areAssignableTo("jakarta.ws.rs.ext.ExceptionMapper")
            .should()
            .resideInAPackage("..rest..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule resourcesByNameInRest = classes()
            .that()
            .areTopLevelClasses()
            .and()
            .haveSimpleNameEndingWith("Resource")
            .should()
            .resideInAPackage("..rest..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule mapperMethodsAndRoutesInRest = methods()
            .that()
            .areAnnotatedWith("org.jboss.resteasy.reactive.server.ServerExceptionMapper")
            .or()
            .areAnnotatedWith("io.quarkus.vertx.web.Route")
            .should()
            .beDeclaredInClassesThat()
            .resideInAPackage("..rest..")
            .allowEmptyShould(true);

    /**
     * Resources are the top layer: services, repositories and entities know nothing of HTTP's shapes. The service's
     * own {@code rest} package: a library's (MicroProfile's {@code org.eclipse.microprofile.rest.client}, which the
     * console's outbound clients use) is no layer of the service.
     */
    @ArchTest
    static final ArchRule restIsOnTop = noClasses()
            .that()
            .resideOutsideOfPackage("..rest..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.portcullis..rest..");

    @ArchTest
    static final ArchRule configMappingsInConfig = classes()
            .that()
            .areAnnotatedWith("io.smallrye.config.ConfigMapping")
            .should()
            .resideInAPackage("..config..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule healthChecksInHealth = classes()
            .that()
            .areAssignableTo("org.eclipse.microprofile.health.HealthCheck")
            .should()
            .resideInAPackage("..health..")
            .allowEmptyShould(true);

    /** Each service's reader of the connections file (contracts' model), under one name. */
    @ArchTest
    static final ArchRule connectionCatalogInConnection = classes()
            .that()
            .haveSimpleName("ConnectionCatalog")
            .should()
            .resideInAPackage("..connection")
            .allowEmptyShould(true);

    private ServiceConventions() {}
}
