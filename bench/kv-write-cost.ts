// Benchmark (not a test): what one JetStream KV write costs a nats.js client, with and without a KV
// watch on the same bucket in the same process, against a plain core NATS request/reply. It explains
// the process tracker's throughput (BENCHMARKS.md): every flow write is a KV update, and every
// tracker replica watches the bucket to serve the API for all flows. `npm run bench:kv`.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type KV, type NatsConnection } from 'nats';
import { REPO_ROOT } from '../deploy/launch/binaries';
import { startNatsServer } from '../deploy/launch/nats-server';

const WRITES = Number(process.env.BENCH_WRITES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const say = (line: string) => process.stdout.write(`[bench:kv] ${line}\n`);

/** A flow instance about the size the tracker writes (six events). */
const BODY = JSON.stringify({
  definition: 'order-fulfillment',
  key: 'bench',
  events: Array.from({ length: 6 }, (_, seq) => ({
    id: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
    type: 'payment.authorized',
    at: new Date().toISOString(),
    traceId: 'f'.repeat(32),
    spanId: 'e'.repeat(16),
    seq,
  })),
});

interface Measure {
  perSecond: number;
  clientCpuMicrosPerOp: number;
}

/** `WRITES` operations, `CONCURRENCY` at a time: the rate, and this process' CPU per operation. */
async function measure(op: (i: number) => Promise<unknown>): Promise<Measure> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < WRITES; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, WRITES - i) }, (_, j) => op(i + j)));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: WRITES / seconds, clientCpuMicrosPerOp: (used.user + used.system) / WRITES };
}

/** Each case writes fresh keys (`kv.create`, as for a new flow), so the rounds never collide. */
function cases(nc: NatsConnection, kv: KV): Record<string, (round: number) => Promise<Measure>> {
  return {
    'core request/reply (no JetStream)': () => measure(() => nc.request('bench.echo', BODY, { timeout: 10_000 })),
    'KV create, no watch': (round) => measure((i) => kv.create(`plain-${round}-${i}`, BODY)),
    'KV create, bucket watched in the same process': async (round) => {
      const watcher = await kv.watch({ key: 'watched.>' });
      const following = (async () => {
        for await (const entry of watcher) void entry.key;
      })();
      try {
        return await measure((i) => kv.create(`watched.${round}-${i}`, BODY));
      } finally {
        watcher.stop();
        await following;
      }
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  const echo = nc.subscribe('bench.echo', { callback: (_e, m) => m.respond(m.data) });
  try {
    const kv = await nc.jetstream().views.kv('bench', { history: 1 });
    const all = cases(nc, kv);
    const results: Record<string, Measure[]> = {};
    // Alternated, so that a noisy moment of the machine does not fall on one case only.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(all)) {
        const m = await run(round);
        (results[name] ??= []).push(m);
        say(
          `round ${round + 1}/${ROUNDS} ${name}: ${m.perSecond.toFixed(0)}/s, ${m.clientCpuMicrosPerOp.toFixed(0)} µs client CPU per op`,
        );
      }
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, ms]) => [
        name,
        {
          perSecond: Math.round(median(ms.map((m) => m.perSecond))),
          clientCpuMicrosPerOp: Math.round(median(ms.map((m) => m.clientCpuMicrosPerOp))),
        },
      ]),
    );
    console.table(summary);
    const result = {
      machine: `${process.platform} ${process.arch}, ${os.cpus().length} cores, node ${process.version}`,
      writes: WRITES,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      medians: summary,
      at: new Date().toISOString(),
    };
    const out = path.join(REPO_ROOT, 'bench', 'results', 'kv-write-cost.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    say(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    echo.unsubscribe();
    await nc.close();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
