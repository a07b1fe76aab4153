// Count only (not a timed benchmark): which subjects the messages of an orchestrated (or
// choreographed) run go to, from a wiretap on `>` as the admin user. Not a per-order figure of the
// server's counters (bench/message-count.ts is): a tap sees each publish once, not its deliveries.
// `npm run bench:build && BENCH_STYLES=orchestration node dist/bench/message-tap.js`.
import { connect } from 'nats';
import { loadTarget } from './support/load';
import { OutcomeWatcher } from './support/outcomes';
import { ScenarioMix, type Style } from './support/orders';
import { saturation, warmUp } from './support/phase';
import { knob, progressLine } from './support/report';
import { settle } from './support/rounds';
import { startBenchSystem } from './support/system';

const SECONDS = knob('BENCH_SECONDS', 5);
const CONCURRENCY = knob('BENCH_CONCURRENCY', 32);
const STYLE = (process.env.BENCH_STYLES ?? 'orchestration') as Style;
const say = progressLine('message-tap');

/** `$KV.flows.<key>` → `$KV.flows.*`; inboxes and ack subjects to their prefix. */
function shape(subject: string): string {
  const t = subject.split('.');
  if (t[0] === '_INBOX') return '_INBOX';
  if (t[0] === '$JS' && t[1] === 'ACK') return `$JS.ACK.${t[2]}.${t[3]}`;
  if (t[0] === '$JS' && t[1] === 'API') return t.slice(0, 4).join('.') + (t.length > 4 ? '.*' : '');
  if (t[0] === '$KV') return `$KV.${t[1]}.*`;
  return t.slice(0, 3).join('.');
}

async function main(): Promise<void> {
  const sys = await startBenchSystem({ tracing: false, label: 'message-tap', onProgress: say });
  const watcher = await OutcomeWatcher.connect(sys.natsConnect);
  const tap = await connect({ ...sys.natsConnect, name: 'bench-tap' });
  const counts = new Map<string, number>();
  let counting = false;
  tap.subscribe('>', {
    callback: (_, msg) => {
      if (counting) counts.set(shape(msg.subject), (counts.get(shape(msg.subject)) ?? 0) + 1);
    },
  });
  try {
    const target = loadTarget({
      ordersUrl: sys.ordersUrl,
      watcher,
      idPrefix: `tap-${Date.now()}`,
      mix: new ScenarioMix({ happy: 7, decline: 1, 'out-of-stock': 1, 'shipping-failure': 1 }),
      style: STYLE,
    });
    await warmUp(target, 3, CONCURRENCY);
    await settle(sys);
    const endedBefore = target.counts.ended;
    counting = true;
    const s = await saturation(target, sys, CONCURRENCY, SECONDS, 2, say, STYLE);
    counting = false;
    const ended = Math.max(1, target.counts.ended - endedBefore);
    say(`${STYLE}: ${s.natsMessagesPerOrder} messages per ended order (server); by subject per order:`);
    const rows = [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([subject, n]) => ({ subject, perOrder: Math.round((n / ended) * 100) / 100 }));
    console.table(rows.filter((r) => r.perOrder >= 0.05));
    say(`tapped ${[...counts.values()].reduce((a, b) => a + b, 0) / ended} publishes per order`);
  } finally {
    await tap.close();
    await watcher.close();
    await sys.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
