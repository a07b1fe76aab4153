// The tracker's per-event work in one process, this build against a baseline build side by side:
// reading an event (envelope, schema, routing) and applying it to its flow (the evaluation the
// outputs and the console ask for included). No NATS and no I/O: on a shared machine whose drain
// rates move by a third from one run to the next, this is where a change of a few per cent in the
// hot path shows. The rounds alternate which build goes first; the median of the rounds is reported.
//
//   BENCH_BASELINE_DIR=/work/wt/base-<commit> npm run bench:hot-path
//
// The baseline worktree needs `npm run bench:build` (its node_modules may be a link to these).
import { headers, type JsMsg } from 'nats';
import path from 'node:path';
import { BASELINE_DIR } from './support/baseline';
import { knob, progressLine } from './support/report';
import { mixedStream, mixedStreamLength } from './support/tracker-stream';

const say = progressLine('hot-path');
const FLOWS = knob('BENCH_FLOWS', 20_000);
const ROUNDS = knob('BENCH_ROUNDS', 12);

interface Routed {
  event: unknown;
  style?: string;
  targets: { def: { name: string }; key: string }[];
}
interface Flow {
  status: string;
  ended: boolean;
  events: unknown[];
  apply(def: unknown, event: unknown, style: unknown, now: Date): string;
  evaluate(def: unknown, now: Date): unknown;
}
interface Build {
  name: string;
  read(msg: JsMsg, registry: unknown): Routed;
  create(definition: string, key: string): Flow;
  registry: unknown;
}

/** The tracker's reading and state code of the build whose repository is `dir`. */
function load(name: string, dir: string): Build {
  const dist = (file: string) => path.resolve(dir, 'dist', 'apps', 'process-tracker', 'src', 'flows', file);
  /* eslint-disable @typescript-eslint/no-require-imports -- another build's code, found at run time */
  const { readTrackedEvent } = require(dist('ingest/read-tracked-event.js')) as { readTrackedEvent: Build['read'] };
  const { DefinitionRegistry } = require(dist('definitions/definition-registry.js')) as {
    DefinitionRegistry: { load(dir: string, timeoutMs: number): unknown };
  };
  const { FlowState } = require(dist('state/flow-state.js')) as { FlowState: { create: Build['create'] } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const registry = DefinitionRegistry.load(path.resolve(dir, 'apps', 'process-tracker', 'flows'), 3_600_000);
  return { name, read: readTrackedEvent, create: (d, k) => FlowState.create(d, k), registry };
}

/** The drain phase's stream as delivered messages (the headers the bench's publishes carry). */
function messages(): JsMsg[] {
  const encoder = new TextEncoder();
  const out: JsMsg[] = [];
  for (const e of mixedStream('hot', FLOWS, 1000)) {
    const h = headers();
    h.set('Nats-Msg-Id', e.id);
    const info = { streamSequence: out.length + 1, timestampNanos: Date.now() * 1e6 };
    out.push({ subject: e.subject, data: encoder.encode(e.payload), headers: h, info } as unknown as JsMsg);
  }
  return out;
}

/** µs per event to read every message. */
function timeRead(build: Build, msgs: readonly JsMsg[]): { us: number; routed: Routed[] } {
  const start = process.hrtime.bigint();
  const routed = msgs.map((msg) => build.read(msg, build.registry));
  return { us: Number(process.hrtime.bigint() - start) / 1e3 / msgs.length, routed };
}

/** µs per event to apply them, with what the outputs and the console read after a status change. */
function timeApply(build: Build, routed: readonly Routed[]): number {
  const flows = new Map<string, Flow>();
  const now = new Date();
  const start = process.hrtime.bigint();
  for (const { event, style, targets } of routed)
    for (const { def, key } of targets) {
      let flow = flows.get(key);
      if (!flow) flows.set(key, (flow = build.create(def.name, key)));
      const before = flow.status;
      flow.apply(def, event, style, now);
      if (before === flow.status) continue;
      flow.evaluate(def, now);
      if (flow.ended) void flow.events.length;
    }
  return Number(process.hrtime.bigint() - start) / 1e3 / routed.length;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main(): void {
  const builds = [load('this build', path.resolve(__dirname, '..', '..'))];
  if (BASELINE_DIR) builds.push(load(`baseline ${path.basename(BASELINE_DIR)}`, BASELINE_DIR));
  else say('BENCH_BASELINE_DIR unset: this build alone (no ratio)');
  const msgs = messages();
  say(`${msgs.length} events of ${FLOWS} flows (expected ${mixedStreamLength(FLOWS)}), ${ROUNDS} rounds`);
  const times = new Map(builds.map((b) => [b.name, { read: [] as number[], apply: [] as number[] }]));
  for (let round = 0; round < ROUNDS + 2; round++) {
    const order = round % 2 ? [...builds].reverse() : builds;
    for (const build of order) {
      const { us, routed } = timeRead(build, msgs);
      const apply = timeApply(build, routed);
      // The first two rounds warm the JIT up and are left out.
      if (round < 2) continue;
      times.get(build.name)!.read.push(us);
      times.get(build.name)!.apply.push(apply);
    }
  }
  const rows = Object.fromEntries(
    builds.map((b) => {
      const t = times.get(b.name)!;
      const us = (value: number) => Math.round(value * 100) / 100;
      return [
        b.name,
        {
          'read µs/event (median)': us(median(t.read)),
          'read (best)': us(Math.min(...t.read)),
          'apply µs/event (median)': us(median(t.apply)),
          'apply (best)': us(Math.min(...t.apply)),
        },
      ];
    }),
  );
  console.table(rows);
  if (builds.length === 2) {
    const [mine, base] = builds.map((b) => times.get(b.name)!);
    const ratio = (k: 'read' | 'apply', of: (v: number[]) => number) =>
      Math.round((of(mine[k]) / of(base[k])) * 1000) / 1000;
    const best = (values: number[]) => Math.min(...values);
    say(
      `this build / baseline, same run: read ${ratio('read', median)}× (best ${ratio('read', best)}×), ` +
        `apply ${ratio('apply', median)}× (best ${ratio('apply', best)}×)`,
    );
  }
}

main();
