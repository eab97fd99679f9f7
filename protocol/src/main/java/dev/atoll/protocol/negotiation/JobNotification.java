package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.AtollSerializable;

/** What a SiteAgent tells a Job after placement: the workload ended (completed, failed, preempted, lost). */
public interface JobNotification extends AtollSerializable {
}
