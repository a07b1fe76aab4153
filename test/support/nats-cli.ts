import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary } from '../../deploy/launch/binaries';
import type { NatsEndpoint } from '../../deploy/launch/nats-auth';
import type { NatsIdentity } from '../../deploy/nats/permissions';

/** Outcome of one NATS CLI run. `code` is null when it was killed (see `timedOut`). */
export interface NatsCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Options of {@link natsCli}. */
export interface NatsCliOptions {
  /**
   * Server URL, always passed as `--server`; or a server the runner started, whose admin (or `as`)
   * credentials then go to the CLI through its environment (`NATS_USER`, `NATS_PASSWORD`).
   */
  server: string | NatsEndpoint;
  /** The identity to use on a server with auth (default admin). */
  as?: NatsIdentity;
  /** Explicit credentials (e.g. a wrong password), overriding `as`. */
  credentials?: { user: string; pass: string };
  /** Kill the CLI after this long (default 15 s). */
  timeoutMs?: number;
}

/** The NATS CLI binary: `$NATS_BIN`, `<repo>/.tools/bin/nats`, or PATH. */
export function natsCliBin(): string {
  return resolveBinary('nats', 'NATS_BIN');
}

// A config home with no contexts: a developer's selected `nats context` (credentials, servers,
// JetStream domain) must not leak into tests. It is never created, so it stays empty.
const EMPTY_CONFIG_HOME = path.join(os.tmpdir(), 'flowscope-nats-cli-no-contexts');

function isolatedEnv(credentials?: { user: string; pass: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NATS_')) env[key] = value; // $NATS_USER, $NATS_CREDS, … would override flags' defaults
  }
  // Credentials in the environment, not in flags: other users can read a process' arguments.
  const auth = credentials ? { NATS_USER: credentials.user, NATS_PASSWORD: credentials.pass } : {};
  return { ...env, ...auth, XDG_CONFIG_HOME: EMPTY_CONFIG_HOME };
}

function cliTarget(opts: NatsCliOptions): { url: string; credentials?: { user: string; pass: string } } {
  if (typeof opts.server === 'string') return { url: opts.server, credentials: opts.credentials };
  return { url: opts.server.url, credentials: opts.credentials ?? opts.server.users?.[opts.as ?? 'admin'] };
}

/**
 * Runs the real NATS CLI (`nats --server <url> ...args`) without a shell and resolves with its
 * exit code and output; a non-zero exit does not throw (assert on `code`).
 */
export function natsCli(args: readonly string[], opts: NatsCliOptions): Promise<NatsCliResult> {
  const bin = natsCliBin();
  const { url, credentials } = cliTarget(opts);
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      ['--server', url, ...args],
      {
        timeout: opts.timeoutMs ?? 15_000,
        maxBuffer: 32 * 1024 * 1024,
        env: isolatedEnv(credentials),
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (typeof failure.code === 'string') {
          return reject(new Error(`cannot run ${bin}: ${error.message}`, { cause: error })); // ENOENT, EACCES, …
        }
        resolve({ code: failure.code ?? null, stdout, stderr, timedOut: failure.killed === true });
      },
    );
    child.stdin?.end(); // some commands read a body from stdin when none is given
  });
}

function headerFlags(headers: Record<string, string> = {}): string[] {
  return Object.entries(headers).flatMap(([key, value]) => ['-H', `${key}:${value}`]);
}

function check(what: string, result: NatsCliResult): NatsCliResult {
  if (result.code === 0) return result;
  const why = result.timedOut ? 'timed out' : `exited with ${result.code}`;
  throw new Error(`nats ${what} ${why}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** `nats pub <subject> <body> -H K:V…`; throws unless the CLI succeeds. */
export async function natsPub(
  server: string | NatsEndpoint,
  subject: string,
  body: string,
  headers?: Record<string, string>,
): Promise<NatsCliResult> {
  const args = ['pub', ...headerFlags(headers), '--', subject, body];
  return check(`pub ${subject}`, await natsCli(args, { server }));
}

/**
 * `nats request <subject> <body>`: resolves with the reply body (trailing newlines removed, which
 * the CLI adds). Throws on no responders or no reply in time: the CLI (v0.5.0) exits 0 in both
 * cases, so success is read from its "Received with rtt" log line instead of the exit code.
 */
export async function natsReq(
  server: string | NatsEndpoint,
  subject: string,
  body: string,
  opts: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  const waitMs = opts.timeoutMs ?? 5000;
  const args = ['request', `--timeout=${waitMs}ms`, ...headerFlags(opts.headers), '--', subject, body];
  const result = check(`request ${subject}`, await natsCli(args, { server, timeoutMs: waitMs + 10_000 }));
  if (result.stderr.includes('No responders are available')) {
    throw new Error(`nats request ${subject}: no responders\nstderr: ${result.stderr}`);
  }
  if (!result.stderr.includes('Received with rtt')) {
    throw new Error(`nats request ${subject}: no reply within ${waitMs} ms\nstderr: ${result.stderr}`);
  }
  const reply = result.stdout.replace(/\n+$/, '');
  return reply === 'nil body' ? '' : reply;
}
