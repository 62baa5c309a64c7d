package dev.tollgate.core.routing;

import dev.tollgate.core.pricing.Price;
import dev.tollgate.core.pricing.PriceBook;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A {@link Strategy} at work: the order in which one priority band of a group's deployments is tried, the
 * strategy's choice first. Bands are ordered whole, available or not, and availability is checked as the plan
 * consumes them: dropping the unavailable ones from a weighted random order leaves a weighted random order of
 * the rest, and for the other strategies it leaves their order of the rest.
 */
sealed interface BandOrder {

    List<Deployment> order(List<Deployment> band, RandomGenerator random);

    static BandOrder of(Strategy strategy, long turn, Function<Deployment, DeploymentLoad> loads, PriceBook prices) {
        return switch (strategy) {
            case WEIGHTED -> new Weighted();
            case ROUND_ROBIN -> new RoundRobin(turn);
            case LOWEST_LATENCY -> new LowestLatency(loads);
            case LEAST_BUSY -> new LeastBusy(loads);
            case LOWEST_COST -> new LowestCost(prices);
        };
    }

    /** At random in proportion to the weights, without replacement. */
    record Weighted() implements BandOrder {
        @Override
        public List<Deployment> order(List<Deployment> band, RandomGenerator random) {
            return shuffle(band, random);
        }

        /** Each place drawn by weight among the deployments not yet placed. Also the tie-break of the others. */
        static List<Deployment> shuffle(List<Deployment> band, RandomGenerator random) {
            if (band.size() < 2) {
                return band;
            }
            var left = new ArrayList<>(band);
            long total = 0;
            for (Deployment d : left) {
                total += d.weight();
            }
            var order = new ArrayList<Deployment>(band.size());
            while (left.size() > 1) {
                long ticket = random.nextLong(total);
                int i = 0;
                while (ticket >= left.get(i).weight()) {
                    ticket -= left.get(i).weight();
                    i++;
                }
                Deployment drawn = left.remove(i);
                total -= drawn.weight();
                order.add(drawn);
            }
            order.add(left.getFirst());
            return order;
        }
    }

    /**
     * In turn over the cycle where each deployment holds as many consecutive places as its weight: turn
     * {@code t} starts at the deployment owning place {@code t mod total weight}, the others following in config
     * order. The turn is the group's process-wide counter, so the order needs no lock and no state of its own.
     */
    record RoundRobin(long turn) implements BandOrder {
        @Override
        public List<Deployment> order(List<Deployment> band, RandomGenerator random) {
            long total = 0;
            for (Deployment d : band) {
                total += d.weight();
            }
            long place = Math.floorMod(turn, total);
            int owner = 0;
            while (place >= band.get(owner).weight()) {
                place -= band.get(owner).weight();
                owner++;
            }
            var order = new ArrayList<Deployment>(band.size());
            for (int i = 0; i < band.size(); i++) {
                order.add(band.get((owner + i) % band.size()));
            }
            return order;
        }
    }

    /**
     * The lowest recent latency first; an unmeasured deployment counts as fastest so that it gets measured. A
     * share of {@value #PROBE} of requests puts a random other deployment first instead, so one that was slow
     * and has recovered is measured again and can win back its traffic.
     */
    record LowestLatency(Function<Deployment, DeploymentLoad> loads) implements BandOrder {
        static final double PROBE = 0.05;

        @Override
        public List<Deployment> order(List<Deployment> band, RandomGenerator random) {
            var order = new ArrayList<>(Weighted.shuffle(band, random));
            order.sort(Comparator.comparingLong(d -> loads.apply(d).latencyNanos()));
            if (order.size() > 1 && random.nextDouble() < PROBE) {
                order.addFirst(order.remove(1 + random.nextInt(order.size() - 1)));
            }
            return order;
        }
    }

    /**
     * The least loaded first: by the load the servers report when every deployment of the band reports one (it
     * sees other gateways' traffic too), else by this gateway's requests in flight. Ties go by weight.
     */
    record LeastBusy(Function<Deployment, DeploymentLoad> loads) implements BandOrder {
        @Override
        public List<Deployment> order(List<Deployment> band, RandomGenerator random) {
            var order = new ArrayList<>(Weighted.shuffle(band, random));
            boolean allReport = band.stream().allMatch(d -> loads.apply(d).serverLoad() >= 0);
            order.sort(allReport
                    ? Comparator.comparingDouble(d -> loads.apply(d).serverLoad())
                    : Comparator.comparingInt(d -> loads.apply(d).inFlight()));
            return order;
        }
    }

    /**
     * The cheapest per token first, counting one input and one output token (so a model cheap to read but dear
     * to write does not win on input alone). Deployments without a price go last: their cost is unknown, never
     * zero. Ties go by weight.
     */
    record LowestCost(PriceBook prices) implements BandOrder {
        @Override
        public List<Deployment> order(List<Deployment> band, RandomGenerator random) {
            var order = new ArrayList<>(Weighted.shuffle(band, random));
            order.sort(Comparator.comparingLong(this::perToken));
            return order;
        }

        private long perToken(Deployment d) {
            Price price = prices.find(d);
            return price == null ? Long.MAX_VALUE : price.input().nanos() + price.output().nanos();
        }
    }
}
