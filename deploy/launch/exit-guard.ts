// Last-resort cleanup so that no server outlives a crashed, killed or interrupted test run.
import { runInThisContext } from 'node:vm';
import { findOnPath } from './binaries';

/** What the guard needs from a live child process. */
export interface Killable {
  /** Synchronous SIGKILL. */
  killNow(): void;
}

interface Guard {
  live: Set<Killable>;
  cleanups: Set<() => void>;
}

// Jest runs each test file with its own copy of `process` whose 'exit' and signal events never
// fire; the host process's do. One guard per host process, shared by every test file a Jest
// worker runs, so listeners do not pile up file after file.
const hostProcess = runInThisContext('process') as NodeJS.Process;
const GUARD_KEY = Symbol.for('flowscope.test-support.exit-guard');

function guard(): Guard {
  const holder = hostProcess as unknown as Record<symbol, Guard | undefined>;
  return (holder[GUARD_KEY] ??= installGuard());
}

function installGuard(): Guard {
  const g: Guard = { live: new Set(), cleanups: new Set() };
  const runAll = (): void => {
    for (const p of g.live) p.killNow();
    for (const cleanup of g.cleanups) {
      try {
        cleanup();
      } catch {
        // best effort: the process is going away
      }
    }
    g.cleanups.clear();
  };
  hostProcess.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      runAll();
      hostProcess.removeListener(signal, onSignal);
      // Keep the default behaviour (die by that signal) unless someone else handles it.
      if (hostProcess.listenerCount(signal) === 0) hostProcess.kill(hostProcess.pid, signal);
    };
    hostProcess.on(signal, onSignal);
  }
  return g;
}

/** SIGKILLs `p` if the test process exits or is interrupted first; call the result once `p` has exited. */
export function killOnExit(p: Killable): () => void {
  const g = guard();
  g.live.add(p);
  return () => g.live.delete(p);
}

/**
 * Runs `cleanup` (synchronous, e.g. `rmSync` of a temp dir) if the test process exits or is
 * interrupted first; call the result once you have cleaned up yourself.
 */
export function onExitCleanup(cleanup: () => void): () => void {
  const g = guard();
  g.cleanups.add(cleanup);
  return () => g.cleanups.delete(cleanup);
}

let setpriv: string | null | undefined;

/**
 * Prefixes the command with util-linux `setpriv --pdeathsig KILL`, which sets PR_SET_PDEATHSIG and
 * execs it (same pid): the kernel kills the child when the spawning process dies, even by SIGKILL,
 * which no hook can catch. Without setpriv (not Linux) only the hooks above remain.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  if (setpriv === undefined) setpriv = process.platform === 'linux' ? (findOnPath('setpriv') ?? null) : null;
  return setpriv === null ? [command, [...args]] : [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]];
}
