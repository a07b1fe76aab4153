// Where a `--cpu-prof` profile spends its time, per package (or part of Flowscope): self time, and
// time attributed to the nearest package frame up the stack (so the JSON encoding, socket writes
// and timers a library causes count for that library), and the hottest functions.
// `node dist/bench/support/profile-summary.js [--skip=<seconds>] [--until=<seconds>] <file.cpuprofile>...`
// (--skip leaves out the start-up: the benchmark prints how far into the profile measuring began;
// --until the end, e.g. the tracker benchmark's verification through the API after a drain).
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `@opentelemetry/sdk-trace-base`, `nats`, `flowscope libs/telemetry`, `node internals`, `(garbage collector)`, … */
export function categoryOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'native';
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url); // the innermost: nested copies count as themselves
  if (pkg) return pkg[1];
  const own = /dist\/(apps|libs)\/([^/]+)/.exec(url);
  if (own) return `flowscope ${own[1]}/${own[2]}`;
  return url.startsWith('node:') ? 'node internals' : 'other';
}

const UNOWNED = new Set(['native', 'node internals', 'other']);

/** Self and attributed time in ms per category, and self time per function, busiest first, from `skipMs` to `untilMs`. */
export function summarizeProfile(profile: CpuProfile, skipMs = 0, untilMs = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number, own: string): string => {
    if (own.startsWith('(')) return own; // (garbage collector), (program), (idle)
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      const category = categoryOf(url, functionName);
      if (!UNOWNED.has(category) && !category.startsWith('(')) return category;
    }
    return 'node internals'; // a libuv callback with no package above it: socket reads, timers
  };
  const [self, attributed, functions] = [
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
  ];
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  let [elapsed, total] = [0, 0];
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    elapsed += ms;
    if (elapsed < skipMs || elapsed > untilMs) return;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const category = categoryOf(url, functionName);
    add(self, category, ms);
    add(attributed, owner(id, category), ms);
    add(
      functions,
      `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''} [${category}]`,
      ms,
    );
    total += ms;
  });
  for (const m of [self, attributed]) {
    const otel = [...m].filter(([c]) => c.startsWith('@opentelemetry/')).reduce((sum, [, ms]) => sum + ms, 0);
    m.set('all of @opentelemetry/*', otel);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, self: sorted(self), attributed: sorted(attributed), functions: sorted(functions) };
}

function main(args: string[]): void {
  const seconds = (flag: string) => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  const skipMs = Number(seconds('skip') ?? 0) * 1000;
  const untilMs = Number(seconds('until') ?? Infinity) * 1000;
  for (const file of args.filter((a) => !a.startsWith('--'))) {
    const { totalMs, self, attributed, functions } = summarizeProfile(
      JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
      skipMs,
      untilMs,
    );
    const idle = (rows: [string, number][]) => rows.find(([c]) => c === '(idle)')?.[1] ?? 0;
    const busy = totalMs - idle(self);
    const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1)} %`;
    const top = (rows: [string, number][], n = 15) => rows.filter(([c]) => !c.startsWith('(idle)')).slice(0, n);
    console.log(
      `\n${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled after ${skipMs / 1000} s, ${(busy / 1000).toFixed(1)} s busy (% of busy time)`,
    );
    console.table(
      Object.fromEntries(
        top(attributed, 20).map(([c, ms]) => [
          c,
          { attributed: pct(ms), self: pct(self.find(([s]) => s === c)?.[1] ?? 0) },
        ]),
      ),
    );
    console.table(Object.fromEntries(top(functions).map(([f, ms]) => [f.slice(0, 110), pct(ms)])));
  }
}

if (require.main === module) main(process.argv.slice(2));
