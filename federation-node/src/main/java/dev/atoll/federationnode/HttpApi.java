package dev.atoll.federationnode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.siteregistry.SiteInfo;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's HTTP API (JSON):
 * <ul>
 *   <li>{@code GET /v1/health} -&gt; {@code {"site","members","sitesSeen"}}
 *   <li>{@code GET /v1/sites} -&gt; every known site with its advert and reachability
 * </ul>
 * The ask timeout is {@code atoll.http.ask-timeout}.
 */
public final class HttpApi extends AllDirectives {
    private final ActorSystem<?> system;
    private final NodeRefs refs;
    private final Duration askTimeout;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param system the node's actor system
     * @param refs the node's actors
     * @param config configuration holding {@code atoll.http.ask-timeout}
     */
    public HttpApi(ActorSystem<?> system, NodeRefs refs, Config config) {
        this.system = system;
        this.refs = refs;
        this.askTimeout = config.getDuration("atoll.http.ask-timeout");
    }

    /** @return the route tree of the API */
    public Route routes() {
        return pathPrefix("v1", () -> concat(
                path("health", () -> get(this::health)),
                path("sites", () -> get(this::sites))));
    }

    private Route json(StatusCode code, Object body) {
        try {
            // Serialized here rather than with pekko-http-jackson's marshaller: that one needs a newer
            // Jackson than the build pins (2.17).
            return complete(HttpResponse.create().withStatus(code)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, mapper.writeValueAsString(body))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private Route health() {
        CompletionStage<List<SiteInfo>> sites = allSites();
        return onSuccess(sites, list -> {
            int members = 0;
            for (Member m : Cluster.get(system).state().getMembers()) {
                if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
                    members++;
                }
            }
            ObjectNode o = mapper.createObjectNode();
            o.put("site", refs.site().value());
            o.put("members", members);
            o.put("sitesSeen", list.size());
            return json(StatusCodes.OK, o);
        });
    }

    private CompletionStage<List<SiteInfo>> allSites() {
        return AskPattern.ask(refs.registry(), SiteRegistry.GetAllSites::new, askTimeout, system.scheduler());
    }

    private Route sites() {
        return onSuccess(allSites(), list -> {
            ArrayNode arr = mapper.createArrayNode();
            for (SiteInfo s : list) {
                ObjectNode o = arr.addObject();
                o.put("site", s.site().value());
                o.put("region", s.advert().region());
                o.put("reachable", s.reachable());
                o.put("version", s.advert().version());
                o.put("issuedAt", s.advert().issuedAtMillis());
                o.put("capacity", s.advert().capacity());
                o.put("free", s.advert().free());
                ArrayNode pools = o.putArray("pools");
                for (PoolAdvert p : s.advert().pools()) {
                    ObjectNode po = pools.addObject();
                    po.put("model", p.model().name());
                    po.put("capacity", p.capacity());
                    po.put("free", p.free());
                    po.put("largestFreeBlock", p.largestFreeBlock());
                    po.put("freeWholeNodes", p.freeWholeNodes());
                    po.put("devicesPerNode", p.devicesPerNode());
                    po.put("fragmentation", p.fragmentation());
                    po.put("pricePerDeviceHour", p.pricePerDeviceHour());
                }
            }
            return json(StatusCodes.OK, arr);
        });
    }
}
