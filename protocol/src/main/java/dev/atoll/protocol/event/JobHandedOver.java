package dev.atoll.protocol.event;

import dev.atoll.protocol.SiteId;

/**
 * The job's owner learnt that site {@code to} adopted it while this owner was lost (Kryo id 331): this Job entity
 * stops for good (a terminal phase); its own placement, if any, is fenced and its status points to the adopter.
 *
 * @param to the adopting site
 * @param entity the adopter's Job entity id ({@code <id>|a<n>})
 * @param atMillis when the hand-over was persisted
 */
public record JobHandedOver(SiteId to, String entity, long atMillis) implements JobEvent {
}
