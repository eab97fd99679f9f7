package dev.atoll.federationnode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.atoll.federationnode.job.Job;
import dev.atoll.federationnode.job.JobError;
import dev.atoll.federationnode.job.JobStatus;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import java.util.Optional;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
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
import dev.atoll.federationnode.site.DrainStatus;
import dev.atoll.federationnode.site.SetDraining;
import dev.atoll.placement.ModelEquivalence;
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
 *   <li>{@code POST /v1/jobs} (body: see {@link SubmitRequest}) -&gt; 202 and the job's status; 409 if the id
 *       exists with a different spec
 *   <li>{@code GET /v1/jobs/{id}} -&gt; 200 status ({@link JobStatus}) or 404; {@code {id}} may also be an adopted
 *       job's entity id {@code <job>|a<n>} (the status of a handed-over job names it)
 *   <li>{@code POST /v1/jobs/status} (body {@code {"ids": ["j1", ...]}}, 1 to {@value #MAX_BULK_IDS} ids) -&gt;
 *       200 {@code {"jobs": [status, ...], "notFound": [id, ...], "unanswered": [id, ...]}}: the statuses of
 *       many jobs in one request (the same {@link JobStatus} objects as {@code GET /v1/jobs/{id}}, in request
 *       order), asked of the Job entities at most {@value #BULK_PARALLELISM} at a time; an id whose Job did
 *       not answer within the ask timeout, or that was not asked before one ask timeout had passed since
 *       the request arrived, is listed in {@code unanswered} (ask again)
 *   <li>{@code DELETE /v1/jobs/{id}} -&gt; 200 status after cancelling, or 404
 *   <li>{@code GET /v1/sites} -&gt; every known site with its advert, reachability and loss ({@code lost}, {@code unreachableSince} epoch ms)
 *   <li>{@code GET /v1/sites/{site}/ledger} -&gt; the site's holds and allocations
 *   <li>{@code POST /v1/sites/{site}/drain} (optional body {@code {"reason": "..."}}) and
 *       {@code POST /v1/sites/{site}/resume} -&gt; 200 {@code {"site","draining","reason","changed","running","holds"}};
 *       only on a node of that site (400 naming {@code site} otherwise)
 *   <li>{@code GET /v1/health} -&gt; {@code {"site","members","sitesSeen"}}
 * </ul>
 * Wrong input answers 400 {@code {"error": "...", "field": "..."}} naming the field and the value; a
 * component that does not answer in time answers 503.
 * The ask timeout is {@code atoll.http.ask-timeout}.
 */
public final class HttpApi extends AllDirectives {
    private final ActorSystem<?> system;
    private final NodeRefs refs;
    private final Duration askTimeout;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ModelEquivalence equivalence;

    /** Most job ids one {@code POST /v1/jobs/status} may name. */
    public static final int MAX_BULK_IDS = 1000;
    /** Job entities a bulk status request asks at the same time. */
    public static final int BULK_PARALLELISM = 16;

    /**
     * @param system the node's actor system
     * @param refs the node's actors
     * @param config configuration holding {@code atoll.http.ask-timeout} and the declared model equivalence
     *     ({@code atoll.models.equivalence}, see {@link ModelSettings#equivalence})
     * @throws IllegalArgumentException naming the setting if the equivalence is malformed
     */
    public HttpApi(ActorSystem<?> system, NodeRefs refs, Config config) {
        this.system = system;
        this.refs = refs;
        this.askTimeout = config.getDuration("atoll.http.ask-timeout");
        this.equivalence = ModelSettings.equivalence(config);
    }

    /** @return the route tree of the API */
    public Route routes() {
        return pathPrefix("v1", () -> concat(
                path("health", () -> get(this::health)),
                path("sites", () -> get(this::sites)),
                pathPrefix("sites", () -> pathPrefix(segment -> concat(
                        path("ledger", () -> get(() -> ledger(segment))),
                        path("drain", () -> post(() -> entity(Unmarshaller.entityToString(),
                                body -> drain(segment, true, body)))),
                        path("resume", () -> post(() -> entity(Unmarshaller.entityToString(),
                                body -> drain(segment, false, body))))))),
                pathPrefix("jobs", () -> concat(
                        pathEnd(() -> post(() -> entity(Unmarshaller.entityToString(), this::submit))),
                        path("status", () -> post(() -> entity(Unmarshaller.entityToString(), this::bulkStatus))),
                        path(segment -> concat(
                                get(() -> jobStatus(segment)),
                                delete(() -> cancel(segment))))))));
    }

    private Route error(StatusCode code, String message, String field) {
        ObjectNode o = mapper.createObjectNode();
        o.put("error", message);
        if (field != null) {
            o.put("field", field);
        }
        return json(code, o);
    }

    private Route submit(String body) {
        JobSpec spec;
        try {
            spec = SubmitRequest.parse(mapper.readTree(body), equivalence);
        } catch (JsonProcessingException e) {
            return error(StatusCodes.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), null);
        } catch (SubmitRequest.Invalid e) {
            return error(StatusCodes.BAD_REQUEST, e.getMessage(), e.field());
        }
        JobSpec s = spec;
        CompletionStage<Job.Reply> reply = refs.jobs().job(spec.id().value())
                .ask(replyTo -> new Job.Submit(s, replyTo), askTimeout);
        return replyRoute(reply, StatusCodes.ACCEPTED);
    }

    /** {@code POST /v1/jobs/status}: see the class comment. */
    private Route bulkStatus(String body) {
        List<String> ids = new java.util.ArrayList<>();
        try {
            com.fasterxml.jackson.databind.JsonNode n = mapper.readTree(body);
            if (n == null || !n.isObject()) {
                return error(StatusCodes.BAD_REQUEST, "body must be a JSON object such as {\"ids\": [\"j1\"]}, got "
                        + n, null);
            }
            java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> fields = n.fields();
            while (fields.hasNext()) {
                java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> f = fields.next();
                if (!f.getKey().equals("ids")) {
                    return error(StatusCodes.BAD_REQUEST, "unknown field '" + f.getKey() + "' = " + f.getValue()
                            + " (known: ids)", f.getKey());
                }
            }
            com.fasterxml.jackson.databind.JsonNode arr = n.get("ids");
            if (arr == null || !arr.isArray() || arr.isEmpty() || arr.size() > MAX_BULK_IDS) {
                return error(StatusCodes.BAD_REQUEST, "ids must be an array of 1 to " + MAX_BULK_IDS
                        + " job ids, got " + (arr == null ? "nothing" : arr.isArray() ? arr.size() + " ids" : arr),
                        "ids");
            }
            for (int i = 0; i < arr.size(); i++) {
                com.fasterxml.jackson.databind.JsonNode v = arr.get(i);
                String field = "ids[" + i + "]";
                if (!v.isTextual()) {
                    return error(StatusCodes.BAD_REQUEST, field + " must be a string, got " + v, field);
                }
                Route bad = checkId(v.asText(), field);
                if (bad != null) {
                    return bad;
                }
                ids.add(v.asText());
            }
        } catch (JsonProcessingException e) {
            return error(StatusCodes.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), null);
        }
        // Jobs not asked within one ask timeout are answered as unanswered, so a large request on a busy
        // node answers in about the ask timeout (well inside the server's request timeout) with what it got.
        long askUntil = System.nanoTime() + askTimeout.toNanos();
        CompletionStage<List<Object>> answers = org.apache.pekko.stream.javadsl.Source.from(ids)
                .mapAsync(BULK_PARALLELISM, id -> System.nanoTime() > askUntil
                        ? java.util.concurrent.CompletableFuture.<Object>completedFuture(id)
                        : refs.jobs().job(id).ask(Job.GetStatus::new, askTimeout)
                                .<Object>handle((r, ex) -> ex != null ? id : r))
                .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system);
        return onSuccess(answers, list -> {
            ObjectNode o = mapper.createObjectNode();
            ArrayNode jobs = o.putArray("jobs");
            ArrayNode notFound = o.putArray("notFound");
            ArrayNode unanswered = o.putArray("unanswered");
            for (int i = 0; i < list.size(); i++) {
                Object a = list.get(i);
                if (a instanceof JobStatus st) {
                    jobs.add(mapper.valueToTree(st));
                } else if (a instanceof JobError e && e.kind() == JobError.Kind.NOT_FOUND) {
                    notFound.add(ids.get(i));
                } else {
                    unanswered.add(ids.get(i));
                }
            }
            return json(StatusCodes.OK, o);
        });
    }

    private Route jobStatus(String id) {
        Route bad = checkId(id);
        if (bad != null) {
            return bad;
        }
        return replyRoute(refs.jobs().job(id).ask(Job.GetStatus::new, askTimeout), StatusCodes.OK);
    }

    private Route cancel(String id) {
        Route bad = checkId(id);
        if (bad != null) {
            return bad;
        }
        return replyRoute(refs.jobs().job(id).ask(replyTo -> new Job.Cancel("cancelled by client", replyTo),
                askTimeout), StatusCodes.OK);
    }

    /** A job id, or the entity id of an adopted job ({@code <job>|a<n>}, URL-encoded as {@code %7Ca<n>}). */
    private Route checkId(String id) {
        return checkId(id, "id");
    }

    private Route checkId(String id, String field) {
        try {
            JobId.of(dev.atoll.federationnode.job.JobDirectory.jobIdOf(id));
            dev.atoll.federationnode.job.JobDirectory.generationOf(id);
            return null;
        } catch (IllegalArgumentException e) {
            return error(StatusCodes.BAD_REQUEST, field.equals("id") ? e.getMessage() : field + ": " + e.getMessage(),
                    field);
        }
    }

    private Route replyRoute(CompletionStage<Job.Reply> reply, StatusCode ok) {
        return onComplete(reply, t -> {
            if (t.isFailure()) {
                return error(StatusCodes.SERVICE_UNAVAILABLE, "the job did not answer within " + askTimeout.toMillis()
                        + " ms: " + t.failed().get().getMessage(), null);
            }
            Job.Reply r = t.get();
            if (r instanceof JobStatus st) {
                return json(ok, st);
            }
            JobError e = (JobError) r;
            return error(e.kind() == JobError.Kind.NOT_FOUND ? StatusCodes.NOT_FOUND : StatusCodes.CONFLICT,
                    e.message(), e.kind() == JobError.Kind.CONFLICT ? "id" : null);
        });
    }

    private Route ledger(String site) {
        SiteId id;
        try {
            id = SiteId.of(site);
        } catch (IllegalArgumentException e) {
            return error(StatusCodes.BAD_REQUEST, e.getMessage(), "site");
        }
        CompletionStage<Optional<SiteInfo>> found = AskPattern.ask(refs.registry(),
                replyTo -> new SiteRegistry.Lookup(id, replyTo), askTimeout, system.scheduler());
        return onSuccess(found, info -> {
            if (info.isEmpty()) {
                return error(StatusCodes.NOT_FOUND, "site " + site + " not known", "site");
            }
            CompletionStage<LedgerView> view = AskPattern.ask(info.get().agent(), GetLedger::new, askTimeout,
                    system.scheduler());
            return onComplete(view, t -> {
                if (t.isFailure()) {
                    return error(StatusCodes.SERVICE_UNAVAILABLE, "site " + site + " did not answer within "
                            + askTimeout.toMillis() + " ms", null);
                }
                return json(StatusCodes.OK, ledgerJson(t.get()));
            });
        });
    }

    private Route drain(String site, boolean draining, String body) {
        if (!site.equals(refs.site().value())) {
            return error(StatusCodes.BAD_REQUEST, "site '" + site + "' is not this node's site (" + refs.site()
                    + "): drain and resume a site on one of its own nodes", "site");
        }
        String reason = "";
        if (body != null && !body.isBlank()) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = mapper.readTree(body);
                if (!n.isObject()) {
                    return error(StatusCodes.BAD_REQUEST, "body must be a JSON object such as {\"reason\": \"...\"}, got "
                            + n, null);
                }
                java.util.Iterator<String> names = n.fieldNames();
                while (names.hasNext()) {
                    String f = names.next();
                    if (!f.equals("reason")) {
                        return error(StatusCodes.BAD_REQUEST, "unknown field '" + f + "' = " + n.get(f)
                                + " (known: reason)", f);
                    }
                }
                com.fasterxml.jackson.databind.JsonNode r = n.get("reason");
                if (r != null && !r.isNull()) {
                    if (!r.isTextual()) {
                        return error(StatusCodes.BAD_REQUEST, "reason must be a string, got " + r, "reason");
                    }
                    reason = r.asText();
                }
            } catch (JsonProcessingException e) {
                return error(StatusCodes.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(), null);
            }
        }
        String why = reason;
        CompletionStage<DrainStatus> reply = AskPattern.ask(refs.siteAgent(),
                replyTo -> new SetDraining(draining, why, replyTo), askTimeout, system.scheduler());
        return onComplete(reply, t -> {
            if (t.isFailure()) {
                return error(StatusCodes.SERVICE_UNAVAILABLE, "site " + site + " did not answer within "
                        + askTimeout.toMillis() + " ms", null);
            }
            DrainStatus d = t.get();
            ObjectNode o = mapper.createObjectNode();
            o.put("site", d.site().value());
            o.put("draining", d.draining());
            o.put("reason", d.reason());
            o.put("changed", d.changed());
            o.put("running", d.running());
            o.put("holds", d.holds());
            return json(StatusCodes.OK, o);
        });
    }

    private ObjectNode ledgerJson(LedgerView v) {
        ObjectNode o = mapper.createObjectNode();
        o.put("site", v.site().value());
        o.put("version", v.version());
        o.put("holds", v.holds());
        ArrayNode arr = o.putArray("allocations");
        for (LedgerView.AllocationView a : v.allocations()) {
            ObjectNode ao = arr.addObject();
            ao.put("job", a.job().value());
            ao.put("epoch", a.epoch());
            ao.put("model", a.model());
            ao.put("startedAt", a.startedAtMillis());
            ao.put("endsAt", a.endsAtMillis());
            ArrayNode nodes = ao.putArray("nodes");
            for (NodeShare n : a.nodes()) {
                ObjectNode no = nodes.addObject();
                no.put("node", n.node());
                ArrayNode d = no.putArray("devices");
                n.devices().forEach(d::add);
                no.put("milli", n.milli());
            }
        }
        return o;
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
                o.put("lost", s.lost());
                o.put("draining", s.advert().draining());
                if (s.unreachableSinceMillis() > 0) {
                    o.put("unreachableSince", s.unreachableSinceMillis());
                }
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
