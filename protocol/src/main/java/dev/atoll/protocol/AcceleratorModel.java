package dev.atoll.protocol;

/**
 * An accelerator model, named exactly as the operator names it ({@code H800}, {@code A100-80GB},
 * {@code Ascend-910B}, openb's {@code V100M16}). Names compare exactly and case-sensitively:
 * {@code A100} is not {@code A100-80GB}. Equivalence between models is never implied by the name;
 * it is declared explicitly (see placement's model equivalence table).
 *
 * @param name 1..64 characters of {@code [A-Za-z0-9._+-]}
 * @throws IllegalArgumentException if {@code name} breaks that rule
 */
public record AcceleratorModel(String name) implements Comparable<AcceleratorModel> {
    public AcceleratorModel {
        Checks.nonBlank("accelerator model", name);
        if (name.length() > 64 || !NAME.matcher(name).matches()) { // precompiled: models are built per request
            throw new IllegalArgumentException("accelerator model must be 1..64 characters of [A-Za-z0-9._+-], got '"
                    + name + "'");
        }
    }

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._+-]+");

    /** @return the model named {@code name} (see the record's rule) */
    public static AcceleratorModel of(String name) {
        return new AcceleratorModel(name);
    }

    @Override
    public int compareTo(AcceleratorModel o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
