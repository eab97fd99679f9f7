package dev.atoll.protocol.event;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;

/** A broker's submission was accepted at {@code origin}, the site that owns the Job. */
public record JobSubmitted(JobSpec spec, SiteId origin, long atMillis) implements JobEvent {
}
