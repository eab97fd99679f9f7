package dev.atoll.protocol.event;

import dev.atoll.protocol.SiteId;

/**
 * The placement of round {@code epoch} at {@code site} was preempted by a higher-priority request (Kryo id 332):
 * the job queues again, like {@link JobRequeued}, and its preemption count (its history, which bounds how often
 * it may be preempted) grows by one.
 *
 * @param reason the site's words (which job preempted it)
 * @param atMillis when the site stopped it, epoch ms
 */
public record JobPreempted(long epoch, SiteId site, String reason, long atMillis) implements JobEvent {
}
