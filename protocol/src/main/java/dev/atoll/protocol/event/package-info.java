/**
 * Persisted events, named in the past tense. {@link dev.atoll.protocol.event.SiteEvent}s are the
 * SiteAgent's allocation ledger; {@link dev.atoll.protocol.event.JobEvent}s are one workload's life.
 * Replaying them reproduces state exactly (DESIGN.md invariant 4). A changed shape keeps its old
 * record (renamed {@code ...V1}) under its old Kryo id plus an event adapter.
 */
package dev.atoll.protocol.event;
