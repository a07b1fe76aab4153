// Count only (not a timed benchmark): NATS messages through nats-server (/varz in + out) per ended
// order, and per client connection (/connz), in both styles, with bench:styles' scenario mix (or
// BENCH_MIX=happy). One system, tracing off, one short saturation slice per style after a short
// warm-up; nothing here is timed. `npm run bench:build && node dist/bench/message-count.js`.
import { loadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { ScenarioMix, type Style } from './support/orders';
import { fixedRate, saturation, warmUp } from './support/phase';
import { knob, progressLine } from './support/report';
import { settle } from './support/rounds';
import { startBenchSystem } from './support/system';

const SECONDS = knob('BENCH_SECONDS', 5);
const CONCURRENCY = knob('BENCH_CONCURRENCY', 16);
const WARMUP_SECONDS = knob('BENCH_WARMUP_SECONDS', 3);
const RAMP_SECONDS = knob('BENCH_RAMP_SECONDS', 2);
/** Orders per second for a fixed-rate slice instead of a saturation one (0: saturation). */
const RATE = knob('BENCH_RATE', 0);
const MIX =
  process.env.BENCH_MIX === 'happy' ? { happy: 1 } : { happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 };
const STYLES = (process.env.BENCH_STYLES?.split(',') ?? ['choreography', 'orchestration']) as Style[];
const say = progressLine('message-count');

async function main(): Promise<void> {
  // BENCH_APP_ENV='{"CHECKPOINT_MS":"1000"}': settings for every app (to count what one changes).
  const appEnv = process.env.BENCH_APP_ENV ? (JSON.parse(process.env.BENCH_APP_ENV) as NodeJS.ProcessEnv) : undefined;
  const sys = await startBenchSystem({ tracing: false, label: 'message-count', appEnv, onProgress: say });
  const watcher = await OutcomeWatcher.connect(sys.natsConnect);
  try {
    const rows: Record<string, Record<string, number | string>> = {};
    for (const style of STYLES) {
      const target = loadTarget({
        ordersUrl: sys.ordersUrl,
        watcher,
        idPrefix: `mc-${style.slice(0, 5)}-${Date.now()}`,
        mix: new ScenarioMix(MIX),
        style,
      });
      await warmUp(target, WARMUP_SECONDS, CONCURRENCY);
      await settle(sys);
      const s = RATE
        ? await fixedRate(target, sys, RATE, SECONDS, say, style)
        : await saturation(target, sys, CONCURRENCY, SECONDS, RAMP_SECONDS, say, style);
      say(`${style}: ${s.natsMessagesPerOrder} messages per ended order; failures ${JSON.stringify(s.failures)}`);
      rows[style] = { total: s.natsMessagesPerOrder, ...s.natsMessagesPerOrderByClient };
    }
    console.table(rows);
  } finally {
    await watcher.close();
    await sys.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
