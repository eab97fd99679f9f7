package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.ModelSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Declared equivalence between accelerator models: named families (e.g. {@code a100-class = A100-40GB,
 * A100-80GB, A800}) and aliases (two names of one model). Equivalence is only what is declared, never
 * implied by names: {@code A100} is not {@code A100-80GB} unless a family says so. It widens a job's
 * accepted models only when the job allows it ({@link #widen(ModelSet, boolean)}); otherwise exact names
 * apply. Immutable.
 */
public final class ModelEquivalence {
    /** No equivalences: every model is only itself. */
    public static final ModelEquivalence NONE = new ModelEquivalence(Map.of());

    private final Map<AcceleratorModel, Set<AcceleratorModel>> classOf;
    private final Map<String, List<AcceleratorModel>> families;

    private ModelEquivalence(Map<String, List<AcceleratorModel>> families) {
        this.families = families;
        Map<AcceleratorModel, Set<AcceleratorModel>> c = new LinkedHashMap<>();
        for (List<AcceleratorModel> fam : families.values()) {
            // Union-find by merging sets: a model in two families joins them (equivalence is transitive).
            Set<AcceleratorModel> merged = new TreeSet<>(fam);
            for (AcceleratorModel m : fam) {
                Set<AcceleratorModel> existing = c.get(m);
                if (existing != null) {
                    merged.addAll(existing);
                }
            }
            Set<AcceleratorModel> frozen = Collections.unmodifiableSet(merged);
            for (AcceleratorModel m : merged) {
                c.put(m, frozen);
            }
        }
        this.classOf = c;
    }

    /** @return a builder for declaring families and aliases */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects declarations; {@link #build()} makes the immutable table. */
    public static final class Builder {
        private final Map<String, List<AcceleratorModel>> families = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Declares that every model in {@code models} can stand in for any other.
         *
         * @throws IllegalArgumentException naming the family if it has fewer than two models or a bad name
         */
        public Builder family(String name, String... models) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("family name must not be empty, got '" + name + "'");
            }
            if (models.length < 2) {
                throw new IllegalArgumentException("family '" + name + "' must name at least 2 models, got "
                        + models.length);
            }
            List<AcceleratorModel> list = new ArrayList<>();
            for (String m : models) {
                list.add(AcceleratorModel.of(m));
            }
            families.merge(name, list, (a, b) -> {
                List<AcceleratorModel> u = new ArrayList<>(a);
                u.addAll(b);
                return u;
            });
            return this;
        }

        /** Declares {@code alias} as another name of {@code model} (a family of two, named after the model). */
        public Builder alias(String alias, String model) {
            return family(model + "=" + alias, model, alias);
        }

        /** @return the table */
        public ModelEquivalence build() {
            Map<String, List<AcceleratorModel>> copy = new LinkedHashMap<>();
            families.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new ModelEquivalence(Collections.unmodifiableMap(copy));
        }
    }

    /** @return true if {@code a} and {@code b} are the same model or declared equivalent */
    public boolean equivalent(AcceleratorModel a, AcceleratorModel b) {
        if (a.equals(b)) {
            return true;
        }
        Set<AcceleratorModel> c = classOf.get(a);
        return c != null && c.contains(b);
    }

    /**
     * @param models a job's accepted models
     * @param jobAllows whether the job accepts equivalent models (a submission option); false returns
     *     {@code models} unchanged
     * @return {@code models} plus every model declared equivalent to one of them; {@link ModelSet#ANY} stays ANY
     */
    public ModelSet widen(ModelSet models, boolean jobAllows) {
        if (!jobAllows || models.isAny() || classOf.isEmpty()) {
            return models;
        }
        Set<AcceleratorModel> out = new TreeSet<>(models.models());
        for (AcceleratorModel m : models.models()) {
            Set<AcceleratorModel> c = classOf.get(m);
            if (c != null) {
                out.addAll(c);
            }
        }
        return ModelSet.of(out);
    }

    /** @return the declared families by name (aliases appear as {@code model=alias}) */
    public Map<String, List<AcceleratorModel>> families() {
        return families;
    }
}
