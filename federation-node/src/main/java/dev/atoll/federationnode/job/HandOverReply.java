package dev.atoll.federationnode.job;

import dev.atoll.protocol.JobId;

/**
 * The previous owner's answer to {@link HandOver} (Kryo id 1154).
 *
 * @param job the job
 * @param accepted true if the owner handed the job over (now or earlier); false if it had already ended there
 * @param ownerState the owner's phase, e.g. {@code HANDED_OVER} or {@code COMPLETED}
 */
public record HandOverReply(JobId job, boolean accepted, String ownerState)
        implements dev.atoll.protocol.AtollSerializable {
}
