package dev.atoll.federationnode.job;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.JobNotification;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * An adopted Job tells the job's previous owner that site {@code by} adopted it (Kryo id 1153), through the owner's
 * sharding ({@link JobRouter}), until the owner answers: at once after the adoption and then every
 * {@code atoll.job.placed-check-interval}, so the message gets through as soon as a partition heals or the owner's
 * node is back. The owner persists {@link dev.atoll.protocol.event.JobHandedOver}, fences its own placement and
 * answers {@link HandOverReply} accepted; if the job had already ended there it answers not accepted and the
 * adopted copy cancels itself. Idempotent.
 *
 * @param job the job
 * @param by the adopting site
 * @param entity the adopter's Job entity id ({@code <job>|a<n>})
 * @param replyTo the adopted Job
 */
public record HandOver(JobId job, SiteId by, String entity, ActorRef<HandOverReply> replyTo)
        implements JobNotification {
}
