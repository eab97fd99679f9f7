package dev.atoll.federationnode.job;

import java.util.List;

/**
 * A job's status as the HTTP API shows it.
 *
 * @param id job id
 * @param tenant owner
 * @param state queued | negotiating | placed | running | completed | failed | rejected | cancelled
 * @param site where it runs or ran; null before placement
 * @param model accelerator model of its devices; null before placement
 * @param nodes node numbers at the site; empty before placement
 * @param submittedAt epoch ms
 * @param placedAt epoch ms of the (latest) placement; null before
 * @param endedAt epoch ms of the terminal event; null before
 * @param queueingDelaySeconds placedAt - submittedAt in seconds once placed; while queued, the time waited so far
 * @param reason why it waits, was rejected, failed or was cancelled; empty otherwise
 */
public record JobStatus(String id, String tenant, String state, String site, String model, List<Integer> nodes,
                        long submittedAt, Long placedAt, Long endedAt, double queueingDelaySeconds, String reason)
        implements Job.Reply {
    public JobStatus {
        nodes = List.copyOf(nodes);
    }
}
