package dev.atoll.simulator;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

class ArchitectureTest {
    // Imported once for the class, from the module's own class files only (scanning jars took minutes).
    private static final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(mainClassesDir());

    private static java.nio.file.Path mainClassesDir() {
        try {
            return java.nio.file.Paths.get(dev.atoll.simulator.trace.TraceTask.class.getProtectionDomain()
                    .getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void simulatorNeverDependsOnPekko() {
        assertThat(classes.size()).isGreaterThan(10);
        noClasses().that().resideInAPackage("dev.atoll.simulator..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..")
                .check(classes);
    }

    @Test
    void simulatorNeverUsesProtocolSerialization() {
        noClasses().that().resideInAPackage("dev.atoll.simulator..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.atoll.protocol.serialization..")
                .check(classes);
    }
}
