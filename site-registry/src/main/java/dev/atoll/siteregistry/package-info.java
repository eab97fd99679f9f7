/**
 * Who is in the federation and what they advertise: {@link dev.atoll.siteregistry.SiteRegistry} replicates
 * every site's advert with Distributed Data and withdraws a site's capacity as soon as cluster membership
 * says none of its members is reachable.
 */
package dev.atoll.siteregistry;
