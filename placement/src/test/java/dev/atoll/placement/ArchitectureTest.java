package dev.atoll.placement;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** placement/ is pure Java: it sees protocol's value types, never Pekko or Scala. */
class ArchitectureTest {
    // Imports only placement's own compiled classes (scanning the whole classpath is slow).
    private static final JavaClasses PLACEMENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(classesDir());

    private static Path classesDir() {
        try {
            return Paths.get(SiteLedger.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void importedEveryPlacementClass() {
        org.assertj.core.api.Assertions.assertThat(PLACEMENT.contain(SiteLedger.class)).isTrue();
        org.assertj.core.api.Assertions.assertThat(PLACEMENT.contain(QueueScheduler.class)).isTrue();
    }

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
