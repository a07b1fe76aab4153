// Reads the deployment files as docker compose and Prometheus would: YAML with merge keys, `${VAR}`
// interpolated from .env, published ports resolved. No Docker engine needed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../deploy/launch/binaries';

export const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
export const readYaml = <T>(file: string): T => parse(read(file), { merge: true }) as T;

export interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { resources?: { limits?: { memory?: string } } };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `KEY=VALUE` lines of a dotenv file (comments and blank lines skipped). */
export function parseDotenv(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}

/** Every `${NAME…}` reference in a text, with its operator (`:-`, `:?`, …) if any. */
export function variableReferences(text: string): { name: string; operator?: string; argument?: string }[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g)].map((m) => ({
    name: m[1],
    operator: m[2],
    argument: m[3],
  }));
}

/** Compose's interpolation of `${NAME}` from `env`; a variable that is not there is an error. */
export function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    if (env[name] === undefined) throw new Error(`\${${name}} is not set in .env`);
    return env[name];
  });
}

/** A published port, `[ip:]host:container`, after interpolation. */
export interface PublishedPort {
  address?: string;
  host: number;
  container: number;
}

export function publishedPorts(service: ComposeService, env: Record<string, string>): PublishedPort[] {
  return (service.ports ?? []).map((spec) => {
    const parts = interpolate(spec, env).split(':');
    const [container, host] = [Number(parts.pop()), Number(parts.pop())];
    return { address: parts.pop(), host, container };
  });
}

/**
 * The README's "Services and ports" table: service → every port number its port cell names
 * (`4222 (monitoring 8222)` → [4222, 8222]).
 */
export function readmePorts(readme: string): Map<string, number[]> {
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => /^\|\s*service\s*\|\s*port\s*\|/.test(line));
  if (header < 0) throw new Error('README.md has no "| service | port |" table');
  const ports = new Map<string, number[]>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [service, cell] = line
      .split('|')
      .slice(1)
      .map((c) => c.trim());
    ports.set(
      service,
      [...cell.matchAll(/\d+/g)].map((m) => Number(m[0])),
    );
  }
  return ports;
}
