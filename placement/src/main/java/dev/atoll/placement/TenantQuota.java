package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.TenantId;
import java.util.Map;

/**
 * A tenant's (virtual cluster's) share of the federation, per accelerator model, in devices.
 *
 * <p>{@code guaranteed} devices are the tenant's whenever it asks: while it does not use them others may
 * borrow them, and a job of the tenant that stays within its guarantee may preempt borrowers to get them
 * back. Beyond its guarantee a tenant may borrow idle devices up to {@code borrowLimit} more (-1: no
 * limit, 0: no borrowing). {@code weight} scales the tenant's fair share (dominant resource fairness,
 * Ghodsi et al., NSDI'11): a tenant of weight 2 is entitled to twice the dominant share of one of weight 1.
 *
 * @param tenant the tenant
 * @param weight fair-share weight, finite and > 0
 * @param guaranteed model -> guaranteed devices (>= 0); models not listed have 0
 * @param borrowLimit model -> devices the tenant may use beyond its guarantee (-1 unlimited); models not
 *     listed use {@code defaultBorrowLimit}
 * @param defaultBorrowLimit borrow limit for models not in {@code borrowLimit}, -1 unlimited, or >= 0
 * @throws IllegalArgumentException naming the field and value when a number is out of range
 */
public record TenantQuota(TenantId tenant, double weight, Map<AcceleratorModel, Integer> guaranteed,
                          Map<AcceleratorModel, Integer> borrowLimit, int defaultBorrowLimit) {
    /** Validates and copies the maps; see the record description. */
    public TenantQuota {
        if (tenant == null) {
            throw new IllegalArgumentException("tenant is required");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight of tenant " + tenant + " must be a finite number > 0, got " + weight);
        }
        guaranteed = Map.copyOf(guaranteed == null ? Map.of() : guaranteed);
        borrowLimit = Map.copyOf(borrowLimit == null ? Map.of() : borrowLimit);
        guaranteed.forEach((m, v) -> {
            if (v < 0) {
                throw new IllegalArgumentException("guaranteed " + m + " devices of tenant " + tenant
                        + " must be >= 0, got " + v);
            }
        });
        borrowLimit.forEach((m, v) -> {
            if (v < -1) {
                throw new IllegalArgumentException("borrowLimit " + m + " of tenant " + tenant
                        + " must be -1 (unlimited) or >= 0, got " + v);
            }
        });
        if (defaultBorrowLimit < -1) {
            throw new IllegalArgumentException("defaultBorrowLimit of tenant " + tenant
                    + " must be -1 (unlimited) or >= 0, got " + defaultBorrowLimit);
        }
    }

    /** @return weight 1, no guarantee, unlimited borrowing: what an unknown tenant gets */
    public static TenantQuota bestEffort(TenantId tenant) {
        return new TenantQuota(tenant, 1, Map.of(), Map.of(), -1);
    }

    /** @return {@code devices} guaranteed of {@code model}, weight 1, unlimited borrowing */
    public static TenantQuota guaranteed(String tenant, String model, int devices) {
        return new TenantQuota(TenantId.of(tenant), 1, Map.of(AcceleratorModel.of(model), devices), Map.of(), -1);
    }

    /** @return guaranteed devices of {@code model} */
    public int guaranteedOf(AcceleratorModel model) {
        return guaranteed.getOrDefault(model, 0);
    }

    /**
     * @return the most devices of {@code model} the tenant may use at once: guarantee + borrow limit, saturated
     *     at {@code Integer.MAX_VALUE} (also the answer for unlimited borrowing), so large quotas never overflow
     *     to a negative limit
     */
    public int limitOf(AcceleratorModel model) {
        int b = borrowLimit.getOrDefault(model, defaultBorrowLimit);
        return b < 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, (long) guaranteedOf(model) + b);
    }
}
