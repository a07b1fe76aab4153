// Probes of a running Flowscope for the tracing-outage and fuzz chaos runs: NATS as the admin identity
// (whether or not the launcher runs NATS with users), and each app's /metrics read as numbers.
import type { ConnectionOptions } from 'nats';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpJson } from '../../../../deploy/launch/probe';
import type { FlowscopeSystem } from '../../../../deploy/launch/system';
import type { AppName } from '../../../../deploy/launch/apps';

interface Credentials {
  user: string;
  pass: string;
}

/** The launcher's users for this run, when it started NATS with authentication. */
function usersOf(system: FlowscopeSystem): Record<string, Credentials> | undefined {
  return (system.nats as { users?: Record<string, Credentials> }).users;
}

/** nats.js options to connect as the admin/test identity (just the URL on a server without users). */
export function adminConnectOptions(system: FlowscopeSystem, name: string): ConnectionOptions {
  const admin = usersOf(system)?.admin;
  return { servers: system.nats.url, name, ...(admin ? { user: admin.user, pass: admin.pass } : {}) };
}

/** The load generator's own credentials, when NATS has users. */
export function loadgenAuth(system: FlowscopeSystem): Credentials | undefined {
  return usersOf(system)?.loadgen;
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus / OpenMetrics text format (comments and exemplars left out). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*?)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value.replace(/\\(.)/g, '$1');
    out.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** Every sample of one app's /metrics. */
export async function scrape(system: FlowscopeSystem, app: AppName): Promise<Sample[]> {
  const res = await httpJson<string>(`${system.app(app).url}/metrics`, { timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`${app} /metrics answered ${res.status}`);
  return parseMetrics(typeof res.body === 'string' ? res.body : String(res.body));
}

/** Sum of a metric's samples whose labels include `where`. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Every app of the system answers GET /health with 200 and its process is still running. */
export async function allHealthy(system: FlowscopeSystem): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, app] of system.apps) {
    const health = await httpJson(`${app.url}/health`, { timeoutMs: 5000 }).catch((e: unknown) => ({
      status: String(e),
    }));
    out[name] = `${app.process?.running ? 'running' : 'exited'}, /health ${health.status}`;
  }
  return out;
}

/** Writes `test/chaos/results/<name>.json`: the figures RELIABILITY.md quotes from the last run. */
export function writeChaosFigures(name: string, figures: Record<string, unknown>): void {
  const dir = path.join(__dirname, '..', '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    `${JSON.stringify({ ranAt: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
}
