// One benchmark phase's Flowscope: every app, real nats-server, Jaeger when tracing, started
// through the local runner. Apps to profile are started beside it with `--cpu-prof` (node refuses
// that flag in NODE_OPTIONS, so it cannot travel through appEnv).
import { readdirSync, readFileSync } from 'node:fs';
import { APP_NAMES, AppProcess, type AppName } from '../../deploy/launch/apps';
import type { NodeRuntime } from '../../deploy/launch/binaries';
import { natsClientEnv, natsConnectOptions } from '../../deploy/launch/nats-auth';
import { freePort } from '../../deploy/launch/ports';
import { startSystem, type FlowscopeSystem } from '../../deploy/launch/system';

export interface BenchSystemOptions {
  /** Jaeger runs and every app exports to it; off: no Jaeger and `OTEL_SDK_DISABLED=true`. */
  tracing: boolean;
  /** Names the profiles (`<label>-<app>.cpuprofile`). */
  label: string;
  /** Write a `--cpu-prof` profile of `profileApps` here. */
  profileDir?: string;
  profileApps?: readonly AppName[];
  appEnv?: NodeJS.ProcessEnv;
  /** The Node.js the apps run on (default the launcher's `nodeRuntime()`). */
  node?: NodeRuntime;
  onProgress?: (message: string) => void;
}

export interface BenchSystem {
  system: FlowscopeSystem;
  ordersUrl: string;
  natsUrl: string;
  /** How the benchmark's own client connects: as the admin (the runner starts NATS with a user per service). */
  natsConnect: { servers: string; user?: string; pass?: string };
  jaegerQueryUrl?: string;
  /** Base URL of every app (`/metrics`, `/health`). */
  appUrls: Record<string, string>;
  /** Seconds since the profiled apps were spawned (what to --skip in profile-summary); undefined without profiling. */
  secondsIntoProfile(): number | undefined;
  /** Pid of every process of the system, by name (apps, nats-server, jaeger). */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startBenchSystem(options: BenchSystemOptions): Promise<BenchSystem> {
  const profiled = options.profileDir ? (options.profileApps ?? APP_NAMES) : [];
  const progress = options.onProgress ?? (() => undefined);
  const startedAt = performance.now();
  const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
  const system = await startSystem({
    apps: APP_NAMES.filter((n) => !profiled.includes(n)),
    tracing: options.tracing,
    appEnv: options.appEnv,
    node: options.node,
    onProgress: progress,
  });
  const own: AppProcess[] = [];
  const stop = async () => {
    const stopping = performance.now();
    await Promise.all(own.map((app) => app.stop())); // they drain and write their profile
    await system.stop();
    progress(`system stopped in ${seconds(stopping)} s`);
  };
  const profiledSince = performance.now();
  try {
    for (const name of profiled) {
      const nodeArgs = [
        '--cpu-prof',
        `--cpu-prof-dir=${options.profileDir}`,
        `--cpu-prof-name=${options.label}-${name}.cpuprofile`,
      ];
      own.push(
        new AppProcess(name, {
          natsUrl: system.nats.url,
          httpPort: await freePort(),
          otlpUrl: system.jaeger?.otlpHttpUrl,
          env: { ...natsClientEnv(system.nats.users?.[name]), ...options.appEnv },
          nodeArgs,
          node: options.node,
        }),
      );
    }
    await Promise.all(own.map((app) => app.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  progress(`system up in ${seconds(startedAt)} s${profiled.length ? ` (profiling ${profiled.join(', ')})` : ''}`);
  const apps = new Map<AppName, AppProcess>([...system.apps, ...own.map((a) => [a.name, a] as const)]);
  return {
    system,
    ordersUrl: apps.get('orders')!.url,
    natsUrl: system.nats.url,
    natsConnect: natsConnectOptions(system.nats),
    jaegerQueryUrl: system.jaeger?.queryUrl,
    appUrls: Object.fromEntries([...apps].map(([name, app]) => [name, app.url])),
    secondsIntoProfile: () => (profiled.length ? Math.floor((performance.now() - profiledSince) / 1000) : undefined),
    pids: () => {
      const named: [string, number | undefined][] = [...apps].map(([name, app]) => [name, app.process?.pid]);
      named.push(['nats-server', system.nats.process.pid], ['jaeger', system.jaeger?.process.pid]);
      return Object.fromEntries(named.filter((e): e is [string, number] => e[1] !== undefined));
    },
    stop,
  };
}

/** CPU seconds (user + system) each process has used so far; Linux `/proc/<pid>/stat`. */
export function cpuSeconds(pids: Record<string, number>): Record<string, number> {
  const split = cpuSplitSeconds(pids);
  return Object.fromEntries(Object.entries(split).map(([name, s]) => [name, s.user + s.system]));
}

/** User and system (kernel: sockets, disk) CPU seconds each process has used so far. */
export function cpuSplitSeconds(pids: Record<string, number>): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out[name] = { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }; // clock ticks of 10 ms
    } catch {
      // not Linux, or the process ended
    }
  }
  const self = process.cpuUsage();
  out.bench = { user: self.user / 1e6, system: self.system / 1e6 };
  return out;
}

/** Per-process CPU between two snapshots, in % of one core. */
export function cpuPercent(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((n) => [n, Math.round(((after[n] - (before[n] ?? 0)) / seconds) * 100)]),
  );
}

/** CPU seconds so far: the whole machine's busy time, the hypervisor's steal, and this benchmark's own process tree. */
export function machineCpuSeconds(): { busy: number; steal: number; ours: number } {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      busy: (user + nice + system + irq + softirq) / 100,
      steal: steal / 100,
      ours: treeCpuSeconds(process.pid),
    };
  } catch {
    return { busy: NaN, steal: NaN, ours: NaN }; // not Linux
  }
}

/** utime + stime of `root` and every process below it (the systems' servers and apps). */
function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      stats.set(Number(pid), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // ended meanwhile
    }
  }
  const mine = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats) {
      if (mine.has(pid) || !mine.has(s.ppid)) continue;
      mine.add(pid);
      grew = true;
    }
  }
  return [...mine].reduce((sum, pid) => sum + (stats.get(pid)?.cpu ?? 0), 0);
}

/** What other work on the machine used during a slice, in % of one core (2 cores = 200 %). */
export function interference(
  before: ReturnType<typeof machineCpuSeconds>,
  after: ReturnType<typeof machineCpuSeconds>,
  seconds: number,
) {
  const pct = (v: number) => Math.round((v / seconds) * 100);
  return {
    otherPercent: pct(after.busy - before.busy - (after.ours - before.ours)),
    stealPercent: pct(after.steal - before.steal),
  };
}
