package dev.atoll.federationnode;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension, registered for every test of this module by auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit-platform.properties}): after each test, and after each class (its {@code @AfterAll} included),
 * it fails if {@link SerializationFailures} recorded a message that Pekko could not serialize and dropped,
 * naming the message class. Records left over from an earlier class are discarded before a class starts.
 */
public final class FailOnSerializationErrors implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        SerializationFailures.drain();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SerializationFailures.assertNone(context.getDisplayName() + " in " + context.getRequiredTestClass().getName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        SerializationFailures.assertNone("set-up or tear-down of " + context.getRequiredTestClass().getName());
    }
}
