package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Orders the sites' offers for one job, best first (cross-site placement). Deterministic: the same offers in
 * any order give the same ranking; final ties go to the lower site id.
 *
 * <p>Named policies ({@link #byName}): {@code earliest-start}, {@code lowest-price}, {@code load-balance},
 * {@code throughput}, {@code locality}, {@code fragmentation} (see {@link SiteCriterion}), {@code default}
 * (the live federation's: earliest start, then most free devices), and weighted combinations such as
 * {@code earliest-start:2,lowest-price:1}.
 */
public interface SiteChoicePolicy {
    /** @return the policy's name, e.g. {@code earliest-start} or {@code earliest-start:2,lowest-price:1} */
    String name();

    /**
     * @param job the request
     * @param offers the sites' offers (not modified)
     * @return the same offers, best first
     */
    List<Offer> rank(JobSpec job, List<Offer> offers);

    /** The live federation's default name. */
    String DEFAULT = "default";

    /** @return earliest start, then most free devices left ({@link SiteCriterion#loadBalance()}), then site id */
    static SiteChoicePolicy liveDefault() {
        return lexicographic(DEFAULT, SiteCriterion.earliestStart(), SiteCriterion.loadBalance());
    }

    /** @return the single criteria names {@link #byName} knows, plus {@code default} */
    static List<String> names() {
        return List.of(DEFAULT, SiteCriterion.EARLIEST_START, SiteCriterion.LOWEST_PRICE, SiteCriterion.LOAD_BALANCE,
                SiteCriterion.THROUGHPUT, SiteCriterion.LOCALITY, SiteCriterion.FRAGMENTATION);
    }

    /**
     * Parses a policy: a name from {@link #names()}, or a weighted combination {@code name:weight,...}
     * (a missing weight is 1).
     *
     * @param spec the text, case-insensitive
     * @param table the throughput table for {@code throughput} (null: the offers' speed factors)
     * @throws IllegalArgumentException naming the part and the known names if a name is unknown, or a weight
     *     is not a finite number > 0
     */
    static SiteChoicePolicy byName(String spec, ThroughputTable table) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("site choice policy must be one of " + names()
                    + " or name:weight,..., got '" + spec + "'");
        }
        if (!s.contains(",") && !s.contains(":")) {
            if (s.equals(DEFAULT)) {
                return liveDefault();
            }
            return criterion(s, spec, table);
        }
        Map<SiteCriterion, Double> weights = new LinkedHashMap<>();
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            String n = p;
            double w = 1;
            int colon = p.indexOf(':');
            if (colon >= 0) {
                n = p.substring(0, colon).trim();
                try {
                    w = Double.parseDouble(p.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("weight of '" + n + "' must be a number, got '"
                            + p.substring(colon + 1).trim() + "' in '" + spec + "'");
                }
            }
            weights.put(criterion(n, spec, table), w);
        }
        return weighted(weights);
    }

    /** As {@link #byName(String, ThroughputTable)} with no throughput table. */
    static SiteChoicePolicy byName(String spec) {
        return byName(spec, null);
    }

    private static SiteCriterion criterion(String n, String spec, ThroughputTable table) {
        switch (n) {
            case SiteCriterion.EARLIEST_START:
                return SiteCriterion.earliestStart();
            case SiteCriterion.LOWEST_PRICE:
                return SiteCriterion.lowestPrice();
            case SiteCriterion.LOAD_BALANCE:
                return SiteCriterion.loadBalance();
            case SiteCriterion.THROUGHPUT:
                return SiteCriterion.throughput(table == null ? ThroughputTable.EMPTY : table);
            case SiteCriterion.LOCALITY:
                return SiteCriterion.locality();
            case SiteCriterion.FRAGMENTATION:
                return SiteCriterion.fragmentation();
            default:
                throw new IllegalArgumentException("site choice criterion must be one of " + names().subList(1,
                        names().size()) + ", got '" + n + "' in '" + spec + "'");
        }
    }

    /**
     * Weighted sum of criteria. Each criterion's costs are first scaled over the offers at hand to 0..1
     * (min-max; all equal gives 0), so weights compare like with like; the lowest weighted sum wins, ties to
     * the lower site id.
     *
     * @param weights criterion -> weight (> 0), in order
     * @throws IllegalArgumentException naming the criterion and weight if a weight is not a finite number > 0,
     *     or if {@code weights} is empty
     */
    static SiteChoicePolicy weighted(Map<SiteCriterion, Double> weights) {
        if (weights == null || weights.isEmpty()) {
            throw new IllegalArgumentException("weights of a weighted site choice must not be empty");
        }
        List<SiteCriterion> criteria = new ArrayList<>(weights.keySet());
        double[] w = new double[criteria.size()];
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            Double v = weights.get(criteria.get(i));
            if (v == null || !(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("weight of " + criteria.get(i).name()
                        + " must be a finite number > 0, got " + v);
            }
            w[i] = v;
            if (i > 0) {
                name.append(',');
            }
            name.append(criteria.get(i).name()).append(':').append(v % 1 == 0 ? Long.toString(v.longValue()) : v);
        }
        String policyName = name.toString();
        return new SiteChoicePolicy() {
            @Override
            public String name() {
                return policyName;
            }

            @Override
            public List<Offer> rank(JobSpec job, List<Offer> offers) {
                int n = offers.size();
                double[] total = new double[n];
                double[] c = new double[n];
                for (int k = 0; k < w.length; k++) {
                    double min = Double.POSITIVE_INFINITY;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < n; i++) {
                        c[i] = criteria.get(k).cost(job, offers.get(i));
                        min = Math.min(min, c[i]);
                        max = Math.max(max, c[i]);
                    }
                    double span = max - min;
                    for (int i = 0; i < n; i++) {
                        total[i] += w[k] * (span > 0 ? (c[i] - min) / span : 0);
                    }
                }
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> total[i])
                        .thenComparing(i -> offers.get(i).site()));
                List<Offer> out = new ArrayList<>(n);
                for (Integer i : idx) {
                    out.add(offers.get(i));
                }
                return out;
            }

            @Override
            public String toString() {
                return policyName;
            }
        };
    }

    /**
     * Criteria in order: the first decides, the next breaks its ties, and so on; then the lower site id.
     *
     * @param name the policy's name
     * @throws IllegalArgumentException if no criterion is given
     */
    static SiteChoicePolicy lexicographic(String name, SiteCriterion... criteria) {
        if (criteria.length == 0) {
            throw new IllegalArgumentException("criteria of a lexicographic site choice must not be empty");
        }
        List<SiteCriterion> list = List.of(criteria);
        return new SiteChoicePolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Offer> rank(JobSpec job, List<Offer> offers) {
                int n = offers.size();
                double[][] costs = new double[n][list.size()];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < list.size(); k++) {
                        costs[i][k] = list.get(k).cost(job, offers.get(i));
                    }
                }
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                Arrays.sort(idx, (a, b) -> {
                    for (int k = 0; k < list.size(); k++) {
                        int c = Double.compare(costs[a][k], costs[b][k]);
                        if (c != 0) {
                            return c;
                        }
                    }
                    return offers.get(a).site().compareTo(offers.get(b).site());
                });
                List<Offer> out = new ArrayList<>(n);
                for (Integer i : idx) {
                    out.add(offers.get(i));
                }
                return out;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
