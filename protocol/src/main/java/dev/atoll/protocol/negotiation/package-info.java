/**
 * Messages of the placement negotiation (DESIGN.md, "contract net with holds"): a Job sends
 * {@link dev.atoll.protocol.negotiation.CallForProposals} to candidate SiteAgents, which answer with a
 * {@link dev.atoll.protocol.negotiation.Bid} (backed by a hold with an expiry) or a
 * {@link dev.atoll.protocol.negotiation.Decline}; the Job sends {@link dev.atoll.protocol.negotiation.Award}
 * to the winner and {@link dev.atoll.protocol.negotiation.ReleaseHold} to the others. Every message
 * carries the job id and the negotiation epoch, so handlers are idempotent and stale messages are
 * recognised.
 */
package dev.atoll.protocol.negotiation;
