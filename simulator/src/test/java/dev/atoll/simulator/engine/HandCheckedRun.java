package dev.atoll.simulator.engine;

/** Shared access to the hand-checked scenario of {@link HandCheckedSimulationTest} for other test packages. */
public final class HandCheckedRun {
    private HandCheckedRun() {
    }

    /** @return the result of the hand-checked 20-job, 2-site run */
    public static SimResult run() {
        return HandCheckedSimulationTest.run();
    }
}
