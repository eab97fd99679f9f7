package dev.atoll.placement;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** placement/ is pure Java: it sees protocol's value types, never Pekko or Scala. */
class ArchitectureTest {
    private static final JavaClasses PLACEMENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.atoll.placement");

    @Test
    void noPekkoNoScala() {
        noClasses().that().resideInAPackage("dev.atoll.placement..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..", "akka..")
                .because("placement/ is shared by the live federation and the simulator and must stay pure Java")
                .check(PLACEMENT);
    }

    @Test
    void dependsOnlyOnProtocolAndTheJdk() {
        noClasses().that().resideInAPackage("dev.atoll.placement..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.atoll.placement..", "dev.atoll.protocol..",
                        "java..", "javax.annotation..")
                .check(PLACEMENT);
    }
}
