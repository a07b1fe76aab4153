import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { killOnExit, withParentDeathSignal } from './exit-guard';

/** How a process ended. `error` is set when it could not be spawned at all (e.g. ENOENT). */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Options of {@link ManagedProcess.spawn}. */
export interface ManagedProcessOptions {
  /** Short name used in logs, log file name and error messages. */
  name: string;
  /** Variables set on top of this process's environment (`undefined` removes one). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** When set, stdout and stderr are also appended to `<logDir>/<name>.log`. */
  logDir?: string;
  /** How many output lines to keep for {@link ManagedProcess.logs} (default 200). */
  ringLines?: number;
  /** Have the kernel SIGKILL the process when this test process dies, however it dies (default true). */
  dieWithParent?: boolean;
}

// Spawned by this test file and not yet exited (the exit guard covers crashes and interruptions).
const live = new Set<ManagedProcess>();

/** A child process owned by a test: output captured, stoppable with escalation, never orphaned. */
export class ManagedProcess {
  /** Resolves (never rejects) once the process has exited and its output is drained. */
  readonly exited: Promise<ExitInfo>;
  readonly logFile: string | undefined;
  private readonly lines: string[] = [];
  private readonly ringLines: number;
  private readonly logStream: WriteStream | undefined;
  private exitInfoValue: ExitInfo | undefined;

  private constructor(
    readonly name: string,
    readonly command: string,
    readonly args: readonly string[],
    private readonly child: ChildProcess,
    opts: ManagedProcessOptions,
  ) {
    this.ringLines = opts.ringLines ?? 200;
    if (opts.logDir !== undefined) {
      mkdirSync(opts.logDir, { recursive: true });
      this.logFile = path.join(opts.logDir, `${opts.name}.log`);
      this.logStream = createWriteStream(this.logFile, { flags: 'a' });
    }
    this.capture(child.stdout);
    this.capture(child.stderr);
    this.exited = new Promise((resolve) => this.onceExited(resolve));
  }

  /** Spawns `command` (no shell, same process group as the test run) and registers it for cleanup. */
  static spawn(command: string, args: readonly string[], opts: ManagedProcessOptions): ManagedProcess {
    const [file, argv] = opts.dieWithParent === false ? [command, [...args]] : withParentDeathSignal(command, args);
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    const managed = new ManagedProcess(opts.name, command, args, child, opts);
    live.add(managed);
    const forget = killOnExit(managed);
    void managed.exited.then(forget);
    return managed;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited (or failed to spawn). */
  get running(): boolean {
    return live.has(this);
  }

  /** How the process ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.exitInfoValue;
  }

  /** The last captured output lines with a header, to print when a test fails. */
  logs(): string {
    const state = this.exitInfoValue ? `exited ${describeExit(this.exitInfoValue)}` : 'running';
    const header = `----- ${this.name} (pid ${this.pid ?? '-'}, ${state}) last ${this.lines.length} lines -----`;
    return [header, ...this.lines, `----- end of ${this.name} -----`].join('\n');
  }

  /** Sends `signal`, waits up to `timeoutMs` for the exit, then escalates to SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    const first = await Promise.race([this.exited, escalated]).finally(() => clearTimeout(timer));
    if (first !== undefined) return first;
    this.lines.push(`[support] ${this.name} ignored ${signal} for ${timeoutMs} ms: SIGKILL`);
    return this.kill9();
  }

  /** Kills the process with SIGKILL (no shutdown at all, as in a crash) and waits for the exit. */
  async kill9(): Promise<ExitInfo> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  private capture(stream: Readable | null): void {
    if (stream === null) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.logStream?.write(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.pushLine(line);
    });
    stream.on('end', () => {
      if (partial.length > 0) this.pushLine(partial);
      partial = '';
    });
  }

  private pushLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.ringLines) this.lines.splice(0, this.lines.length - this.ringLines);
  }

  private onceExited(resolve: (info: ExitInfo) => void): void {
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (info: ExitInfo): void => {
      if (this.exitInfoValue !== undefined) return;
      clearTimeout(drainTimer);
      this.exitInfoValue = info;
      live.delete(this);
      this.logStream?.end();
      resolve(info);
    };
    this.child.once('error', (error) => {
      // 'error' without a pid means the spawn itself failed and no 'exit' will follow.
      if (this.child.pid === undefined) finish({ code: null, signal: null, error });
    });
    this.child.once('exit', (code, signal) => {
      live.delete(this);
      // 'close' follows once stdout/stderr are drained; don't hang if a grandchild holds them open.
      drainTimer = setTimeout(() => finish({ code, signal }), 2000);
    });
    this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => finish({ code, signal }));
  }

  /** Synchronous SIGKILL without waiting: the exit guard's last resort. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `spawn failed: ${info.error.message}`;
  return info.signal ? `by ${info.signal}` : `with code ${info.code}`;
}

/** Processes spawned by this test process that are still running. */
export function runningProcesses(): readonly ManagedProcess[] {
  return [...live];
}

/** Stops every process still running (SIGTERM, then SIGKILL after `timeoutMs`). */
export async function stopAll(timeoutMs = 10_000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGTERM', timeoutMs)));
}
