package dev.atoll.siteregistry;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolAdvert;

/** Judgements made from an advert alone; the SiteAgent's bid or decline is the real answer. */
public final class Fits {
    private Fits() {
    }

    /**
     * @return true if the site has, in total, enough devices of an accepted model that {@code job} could
     *     fit there once they are free: capacity at least {@link JobSpec#totalDevices()} (devices x replicas;
     *     a service's replicas all go to one site), and for whole-node gangs a node size that divides
     *     {@code devices}
     */
    public static boolean couldEverFit(Advert advert, JobSpec job) {
        for (PoolAdvert p : advert.pools()) {
            if (!job.models().accepts(p.model()) || p.capacity() < job.totalDevices()) {
                continue;
            }
            if (!job.wholeNodes() || job.devices() % p.devicesPerNode() == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if the advert suggests {@code job} fits now. A fractional job ({@code gpuMilli < 1000})
     *     may share a partly used device, which adverts do not show, so any site with an accepted model
     *     that could ever fit qualifies.
     */
    public static boolean mayFitNow(Advert advert, JobSpec job) {
        if (!couldEverFit(advert, job)) {
            return false;
        }
        if (job.gpuMilli() < 1000) {
            return true;
        }
        return advert.mayFit(job.totalDevices(), job.models(), job.wholeNodes());
    }
}
