package dev.atoll.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The set of accelerator models a workload accepts, written {@code A100-80GB|H800}. Matching is by
 * exact name only: {@code A100} does not match {@code A100-80GB}. The empty set, written {@code *}
 * (or an empty string, or {@code nan} as in the openb trace), accepts any model.
 *
 * @param models the accepted models, sorted, without duplicates; empty means any model
 */
public record ModelSet(List<AcceleratorModel> models) {
    /** Accepts every model. */
    public static final ModelSet ANY = new ModelSet(List.of());

    public ModelSet {
        Checks.notNull("models", models);
        models = List.copyOf(new TreeSet<>(models));
    }

    /**
     * Parses {@code "A|B|C"}. Blank, {@code "*"}, {@code "any"} and {@code "nan"} give {@link #ANY}.
     *
     * @throws IllegalArgumentException if a name in the list is not a valid model name
     */
    public static ModelSet parse(String text) {
        if (text == null) {
            return ANY;
        }
        String t = text.trim();
        if (t.isEmpty() || t.equals("*") || t.equalsIgnoreCase("any") || t.equalsIgnoreCase("nan")) {
            return ANY;
        }
        List<AcceleratorModel> list = new ArrayList<>();
        for (String part : t.split("\\|", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("models has an empty name in '" + text + "'");
            }
            list.add(new AcceleratorModel(p));
        }
        return new ModelSet(list);
    }

    /** @return a set of exactly these models */
    public static ModelSet of(String... names) {
        List<AcceleratorModel> list = new ArrayList<>();
        for (String n : names) {
            list.add(new AcceleratorModel(n));
        }
        return new ModelSet(list);
    }

    /** @return a set of exactly these models */
    public static ModelSet of(Collection<AcceleratorModel> models) {
        return new ModelSet(new ArrayList<>(models));
    }

    /** @return true if this set accepts every model */
    public boolean isAny() {
        return models.isEmpty();
    }

    /** @return true if {@code model} is accepted: the set is {@link #ANY} or names it exactly */
    public boolean accepts(AcceleratorModel model) {
        return models.isEmpty() || models.contains(model);
    }

    @Override
    public String toString() {
        if (models.isEmpty()) {
            return "*";
        }
        StringBuilder sb = new StringBuilder();
        for (AcceleratorModel m : models) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(m.name());
        }
        return sb.toString();
    }
}
