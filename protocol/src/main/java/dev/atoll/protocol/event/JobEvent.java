package dev.atoll.protocol.event;

import dev.atoll.protocol.AtollSerializable;

/**
 * Events of one workload's life: submitted -&gt; negotiating -&gt; placed -&gt; completed | failed |
 * rejected | cancelled; requeued (or preempted) goes back to negotiating under a new epoch.
 */
public sealed interface JobEvent extends AtollSerializable
        permits JobSubmitted, NegotiationStarted, BidChosen, JobPlaced, JobWaiting, JobCompleted, JobFailed,
        JobRejected, JobCancelled, JobRequeued, JobAdopted, JobHandedOver, JobPreempted {
    /** @return when it happened, epoch milliseconds */
    long atMillis();
}
