// What both system benchmarks report per contender: over its quiet slices (all when none was), the
// median of the slices' figures.
import type { FixedRateFigures, SaturationFigures } from './phase';
import { quiet, type Slice } from './rounds';
import { median, round } from './stats';

export function contenderFigures<N extends string>(
  fixed: Slice<N, FixedRateFigures>[],
  saturated: Slice<N, SaturationFigures>[],
  name: N,
  quietPercent: number,
) {
  const fixedOf = quiet(
    fixed.filter((s) => s.name === name),
    quietPercent,
  ).map((s) => s.figures);
  const sat = quiet(
    saturated.filter((s) => s.name === name),
    quietPercent,
  ).map((s) => s.figures);
  const pooled = fixedOf.flatMap((f) => f.raw);
  // Latency: the median of the slices' percentiles, so that one slice with a stall does not set the figure.
  const slice = (pick: (f: FixedRateFigures) => number) => round(median(fixedOf.map(pick)));
  const figures = {
    slicesUsed: { fixedRate: fixedOf.length, saturation: sat.length },
    saturationOrdersPerSecond: round(median(sat.map((f) => f.ordersPerSecond))),
    orders: pooled.length,
    p50Ms: slice((f) => f.latencyMs.p50),
    p90Ms: slice((f) => f.latencyMs.p90),
    p99Ms: slice((f) => f.latencyMs.p99),
    notifiedP50Ms: slice((f) => f.notifiedMs.p50),
    notifiedP99Ms: slice((f) => f.notifiedMs.p99),
    saturationP99Ms: round(median(sat.map((f) => f.latencyMs.p99))),
    /** CPU of the whole system per order at saturation (median of slices). */
    cpuMsPerOrder: round(median(sat.map((f) => f.cpuMsPerOrder.total)), 2),
    /** Of which user and system (kernel) time, medians of the slices. */
    cpuUserMsPerOrder: round(median(sat.map((f) => f.cpuMsPerOrder.user)), 2),
    cpuSystemMsPerOrder: round(median(sat.map((f) => f.cpuMsPerOrder.system)), 2),
    /** nats-server messages (in + out) per order at saturation and at the fixed rate (medians of slices). */
    natsMessagesPerOrder: {
      saturation: round(median(sat.map((f) => f.natsMessagesPerOrder)), 1),
      fixedRate: round(median(fixedOf.map((f) => f.natsMessagesPerOrder)), 1),
    },
    /** The same at saturation per client connection (a service, the driver's `bench-outcomes`), medians of slices. */
    natsMessagesPerOrderByClient: Object.fromEntries(
      [...new Set(sat.flatMap((f) => Object.keys(f.natsMessagesPerOrderByClient ?? {})))]
        .sort()
        .map((name) => [name, round(median(sat.map((f) => f.natsMessagesPerOrderByClient?.[name] ?? 0)), 1)]),
    ),
    /** CPU other work on the machine used during those slices (median, % of one core): the noise left. */
    otherCpuPercent: {
      fixedRate: median(fixedOf.map((f) => f.interference.otherPercent)),
      saturation: median(sat.map((f) => f.interference.otherPercent)),
    },
    /** Event deliveries retried per 100 orders (median of slices): what the p99 at a fixed rate waits for. */
    redeliveriesPer100Orders: {
      fixedRate: median(fixedOf.map((f) => f.redeliveriesPer100Orders)),
      saturation: median(sat.map((f) => f.redeliveriesPer100Orders)),
    },
  };
  /** The quiet fixed-rate slices' orders, pooled (for figures a slice has too few orders for). */
  return { figures, pooled };
}
