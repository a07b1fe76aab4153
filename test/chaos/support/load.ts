// The load generator in the background of a chaos run: both styles, every scenario that ends (no
// drop flags), and the ids of the orders the system accepted.
import { runLoad } from '../../../apps/loadgen/src/run-load';
import type { LoadProgress, LoadSummary } from '../../../apps/loadgen/src/load-summary';
import { waitFor } from '../../../deploy/launch/probe';

/** A running load: the accepted order ids so far, and how to stop it. */
export interface BackgroundLoad {
  readonly idPrefix: string;
  /** Orders accepted so far (POST /orders answered 201). */
  readonly accepted: string[];
  /** Stops placing orders and resolves with the loadgen's summary. */
  stop(): Promise<LoadSummary>;
  /** Resolves once `more` further orders have been accepted: the system makes progress. */
  progressed(more: number, timeoutMs: number): Promise<void>;
}

export interface LoadSettings {
  natsUrl: string;
  /** The loadgen's NATS user, when NATS has users (`system.nats.users?.loadgen`). */
  natsAuth?: { user: string; pass: string };
  ordersUrl: string;
  idPrefix: string;
  /** Orders per second (default 5). */
  rate?: number;
}

export function startLoad(settings: LoadSettings): BackgroundLoad {
  const accepted: string[] = [];
  const abort = new AbortController();
  let last: LoadProgress | undefined;
  const run = runLoad(
    {
      natsUrl: settings.natsUrl,
      natsAuth: settings.natsAuth,
      ordersUrl: settings.ordersUrl,
      idPrefix: settings.idPrefix,
      rate: settings.rate ?? 5,
      durationSec: 3600,
      orchestration: 0.5,
      mix: { happy: 3, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 },
      resetFlags: true,
      progressEverySec: 2,
    },
    {
      signal: abort.signal,
      onOrder: (order) => accepted.push(order.orderId),
      onProgress: (progress) => (last = progress),
    },
  );
  // Kept observed so an early failure is reported by stop(), not as an unhandled rejection.
  const settled = run.then(
    (summary) => ({ summary }),
    (error: unknown) => ({ error }),
  );
  void settled.then((outcome) => {
    if (!abort.signal.aborted)
      process.stderr.write(
        `the load generator ended on its own: ${'error' in outcome ? String(outcome.error) : JSON.stringify(outcome.summary)}\n`,
      );
  });
  return {
    idPrefix: settings.idPrefix,
    accepted,
    async stop() {
      abort.abort();
      const outcome = await waitFor(() => settled, { timeoutMs: 60_000, what: 'the load generator to stop' });
      if ('error' in outcome) throw outcome.error;
      return outcome.summary;
    },
    async progressed(more, timeoutMs) {
      const target = accepted.length + more;
      await waitFor(() => accepted.length >= target || undefined, {
        timeoutMs,
        intervalMs: 100,
        what: `${more} more orders to be accepted (${accepted.length} so far; the loadgen's last report: ${JSON.stringify(last)})`,
      });
    },
  };
}
