// One phase of the tracker benchmark gets a rig of its own: a fresh nats-server (so no checkpoint,
// consumer or dedupe window of another phase is left), the streams, the bench's clients, a
// `flow.>` watch, and the tracker processes it starts. CPU is read per process from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { AppProcess } from '../../deploy/launch/apps';
import { startNatsServer, type NatsServerHandle } from '../../deploy/launch/nats-server';
import { ensureStreams } from '../../libs/messaging/src/streams';
import { startTracker } from '../../test/support/tracker';
import { loadAverage } from './report';
import { cpuPercent, cpuSeconds, interference, machineCpuSeconds } from './system';
import { FlowWatch } from './tracker-watch';

/** Environment of every tracker the bench starts: no stalls during a run, plus BENCH_TRACKER_ENV (JSON). */
export function trackerEnv(): NodeJS.ProcessEnv {
  const extra = process.env.BENCH_TRACKER_ENV ? (JSON.parse(process.env.BENCH_TRACKER_ENV) as NodeJS.ProcessEnv) : {};
  return { FLOW_TIMEOUT_MS: '3600000', ...extra };
}

export interface Rig {
  nats: NatsServerHandle;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  watch: FlowWatch;
  trackers: AppProcess[];
  /** performance.now() at which each started tracker answered /health, in start order. */
  healthyAt: number[];
  /** Starts `n` tracker processes at once (replicas of one tracker on this NATS). */
  startTrackers(n: number, label: string): Promise<AppProcess[]>;
  /** nats-server and every tracker process running now (found in /proc: a tracker consumes before it is healthy). */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, name: 'bench' });
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm);
  const watch = await FlowWatch.start(nats.url);
  const trackers: AppProcess[] = [];
  const healthyAt: number[] = [];
  const profileDir = process.env.BENCH_PROFILE_DIR;
  return {
    nats,
    nc,
    js: nc.jetstream(),
    jsm,
    watch,
    trackers,
    healthyAt,
    async startTrackers(n, label) {
      // BENCH_TRACKER_NODE_ARGS: node options of every tracker, e.g. '--max-old-space-size=512'.
      const nodeArgs = process.env.BENCH_TRACKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const profile = (i: number) => [
        ...nodeArgs,
        ...(profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}-tracker-${i + 1}.cpuprofile`]
          : []),
      ];
      const started = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const tracker = await startTracker(nats.url, trackerEnv(), profile(i));
          return { tracker, at: performance.now() };
        }),
      );
      trackers.push(...started.map((s) => s.tracker));
      healthyAt.push(...started.map((s) => s.at));
      return started.map((s) => s.tracker);
    },
    pids() {
      const out: Record<string, number> = { 'nats-server': nats.process.pid! };
      trackerPids().forEach((pid, i) => (out[`tracker-${i + 1}`] = pid));
      return out;
    },
    async stop() {
      await Promise.all(trackers.map((t) => t.stop()));
      await watch.stop();
      await nc.close();
      await nats.stop();
    },
  };
}

/** A slice of time: per-process CPU in % of one core, other work on the machine, load average. */
export function cpuSlice(pids: Record<string, number>) {
  const [before, machineBefore, started] = [cpuSeconds(pids), machineCpuSeconds(), performance.now()];
  return (endedAt = performance.now()) => {
    const seconds = (endedAt - started) / 1000;
    return {
      cpuPercentOfOneCore: cpuPercent(before, cpuSeconds(pids), seconds),
      machine: interference(machineBefore, machineCpuSeconds(), seconds),
      loadAverage: loadAverage(),
    };
  };
}

/** Pids of the tracker processes this bench spawned, lowest first. */
function trackerPids(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === process.pid && cmdline.includes('process-tracker/src/main.js')) out.push(Number(pid));
    } catch {
      // ended meanwhile, or not Linux
    }
  }
  return out.sort((a, b) => a - b);
}
