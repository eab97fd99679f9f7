package dev.atoll.simulator.engine;

import dev.atoll.simulator.trace.TraceTask;

/**
 * What happened to one task. Times are seconds from trace start; -1 where it does not apply.
 *
 * @param task the task as read
 * @param state {@link State#COMPLETED} or {@link State#NEVER_RAN}
 * @param startSeconds start of the last (completed) attempt, -1 if it never started
 * @param endSeconds completion time, -1 if it never completed
 * @param site id of the site of the last attempt, null if none
 * @param model accelerator model of the last attempt, null if none
 * @param attempts starts, including attempts lost to failures
 * @param gpuSeconds device-seconds consumed over all attempts (devices x gpuMilli/1000 x seconds run)
 * @param reason why it never ran (empty if completed)
 */
public record JobOutcome(TraceTask task, State state, long startSeconds, long endSeconds, String site, String model,
                         int attempts, double gpuSeconds, String reason) {
    /** Final state. */
    public enum State { COMPLETED, NEVER_RAN }

    /** @return job completion time: end - arrival, seconds; -1 if not completed */
    public long jctSeconds() {
        return state == State.COMPLETED ? endSeconds - task.arrivalSeconds() : -1;
    }

    /**
     * @return queueing delay: time from arrival to completion not spent in the final attempt, seconds
     *     (= start - arrival when there was no failure); -1 if not completed
     */
    public long queueingDelaySeconds() {
        return state == State.COMPLETED ? startSeconds - task.arrivalSeconds() : -1;
    }
}
