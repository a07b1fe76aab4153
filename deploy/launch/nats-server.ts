import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary } from './binaries';
import { freePorts, LOOPBACK } from './ports';
import { httpJson, StopWaiting, waitFor } from './probe';
import { onExitCleanup } from './exit-guard';
import { natsServerAuth, type NatsUsers } from './nats-auth';
import { ManagedProcess } from './processes';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream with a file store (default true). */
  jetstream?: boolean;
  /** JetStream store directory; default a fresh temp dir that {@link NatsServerHandle.stop} removes. */
  storeDir?: string;
  /** Keep the default temp store directory on stop (a given `storeDir` is never removed). */
  keepStore?: boolean;
  /** Client port (default a free one). */
  port?: number;
  /** Monitoring port, `-m` (default a free one). */
  httpPort?: number;
  /** Extra nats-server arguments, appended last. */
  args?: string[];
  /** Server name, `-n`; also names the process in logs (default `nats-<port>`). */
  name?: string;
  /** Also write the server's output to `<logDir>/<name>.log`. */
  logDir?: string;
  /** How long to wait for the server to report healthy (default 20 s). */
  startTimeoutMs?: number;
  /**
   * Require these users, with the permissions of deploy/nats/permissions.ts (default: no auth, any
   * client may do anything). See deploy/launch/nats-auth.ts `generateNatsUsers`.
   */
  auth?: NatsUsers;
}

/** A running nats-server owned by a test. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly httpPort: number;
  /** `http://127.0.0.1:<httpPort>` (healthz, varz, jsz, …). */
  readonly monitorUrl: string;
  readonly storeDir: string;
  readonly jetstream: boolean;
  /** The users it requires, when started with `auth`. */
  readonly users?: NatsUsers;
  /** The current server process (a new one after {@link restart}). */
  readonly process: ManagedProcess;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s); removes the temp store unless kept. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops gracefully if running, then starts again on the same ports and store directory (after
   * {@link stop} the temporary store is gone, so the server comes back empty).
   */
  restart(): Promise<void>;
  /** SIGKILL, as in a crash; the store is kept so {@link restart} can recover it. */
  kill9(): Promise<void>;
  /** The server's last output lines. */
  logs(): string;
}

/** The nats-server binary: `$NATS_SERVER_BIN`, `<repo>/.tools/bin/nats-server`, or PATH. */
export function natsServerBin(): string {
  return resolveBinary('nats-server', 'NATS_SERVER_BIN');
}

const ATTEMPTS_ON_PORT_RACE = 3;

/**
 * Starts a real nats-server on 127.0.0.1 and free ports (JetStream on by default) and resolves once
 * its monitoring endpoint reports it healthy. Every caller must `stop()` it (afterAll).
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const bin = natsServerBin();
  const fixedPorts = opts.port !== undefined || opts.httpPort !== undefined;
  for (let attempt = 1; ; attempt++) {
    const [freeClient, freeHttp] = await freePorts(2);
    const server = new NatsServer(bin, opts, opts.port ?? freeClient, opts.httpPort ?? freeHttp);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // A free port can be taken by someone else between our probe and the server's bind.
      const raced = server.logs().includes('address already in use');
      if (!raced || fixedPorts || attempt >= ATTEMPTS_ON_PORT_RACE) throw error;
    }
  }
}

class NatsServer implements NatsServerHandle {
  readonly url: string;
  readonly monitorUrl: string;
  readonly storeDir: string;
  readonly jetstream: boolean;
  readonly users?: NatsUsers;
  private readonly removeStore: boolean;
  private readonly forgetCleanup: () => void;
  private readonly name: string;
  private current: ManagedProcess | undefined;
  private authFile: string | undefined;

  constructor(
    private readonly bin: string,
    private readonly opts: NatsServerOptions,
    readonly port: number,
    readonly httpPort: number,
  ) {
    this.url = `nats://${LOOPBACK}:${port}`;
    this.monitorUrl = `http://${LOOPBACK}:${httpPort}`;
    this.jetstream = opts.jetstream ?? true;
    this.name = opts.name ?? `nats-${port}`;
    this.storeDir = opts.storeDir ?? mkdtempSync(path.join(os.tmpdir(), 'flowscope-nats-'));
    this.removeStore = opts.storeDir === undefined && opts.keepStore !== true;
    this.forgetCleanup = this.removeStore ? onExitCleanup(() => this.removeStoreDir()) : () => undefined;
    this.users = opts.auth;
  }

  private removeStoreDir(): void {
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  get process(): ManagedProcess {
    if (this.current === undefined) throw new Error(`${this.name} was never started`);
    return this.current;
  }

  async start(): Promise<void> {
    const args = ['-a', LOOPBACK, '-p', String(this.port), '-m', String(this.httpPort), '-n', this.name];
    if (this.jetstream) args.push('-js', '-sd', this.storeDir);
    const env = this.users ? this.authConfig(args) : undefined;
    args.push(...(this.opts.args ?? []));
    const proc = ManagedProcess.spawn(this.bin, args, { name: this.name, logDir: this.opts.logDir, env });
    this.current = proc;
    await waitFor(() => this.isHealthy(proc), {
      timeoutMs: this.opts.startTimeoutMs ?? 20_000,
      intervalMs: 50,
      what: `${this.name} to be healthy at ${this.monitorUrl}/healthz`,
    }).catch((error: unknown) => {
      throw new Error(`${this.name} did not start: ${String(error)}\n${proc.logs()}`, { cause: error });
    });
  }

  /** Adds the users' config file to `args`; the passwords travel in the returned environment only. */
  private authConfig(args: string[]): Record<string, string> {
    const { authorization, env } = natsServerAuth(this.users!);
    if (this.authFile === undefined) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'flowscope-nats-auth-'));
      onExitCleanup(() => rmSync(dir, { recursive: true, force: true }));
      this.authFile = path.join(dir, 'auth.conf');
    }
    writeFileSync(this.authFile, authorization, { mode: 0o600 });
    args.unshift('-c', this.authFile); // flags given after the file override it
    return env;
  }

  private async isHealthy(proc: ManagedProcess): Promise<boolean> {
    if (!proc.running) throw new StopWaiting(`${this.name} exited during startup`);
    const health = await httpJson<{ status?: string }>(`${this.monitorUrl}/healthz`, { timeoutMs: 2000 });
    if (health.status !== 200 || health.body.status !== 'ok') return false;
    // Make sure the answer is ours, not from whoever else may hold that port after a race.
    const varz = await httpJson<{ server_name?: string; port?: number }>(`${this.monitorUrl}/varz`);
    if (varz.body.server_name !== this.name || varz.body.port !== this.port) return false;
    if (!this.jetstream) return true;
    // healthz says ok without JetStream too: make sure JetStream is really on.
    const jsz = await httpJson<{ disabled?: boolean; config?: unknown }>(`${this.monitorUrl}/jsz`);
    return jsz.status === 200 && jsz.body.disabled !== true && jsz.body.config !== undefined;
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    if (!this.removeStore) return;
    this.removeStoreDir();
    this.forgetCleanup();
  }

  async restart(): Promise<void> {
    await this.current?.stop();
    await this.start();
  }

  async kill9(): Promise<void> {
    await this.current?.kill9();
  }

  logs(): string {
    return this.current?.logs() ?? `${this.name}: not started`;
  }
}
