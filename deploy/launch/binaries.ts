import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder up with `nest-cli.json` (works from src and from dist). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nest-cli.json'))) return dir;
  }
  return path.resolve(from, '..', '..');
}

/** Where `deploy/install-tools.sh` puts the binaries. */
export const TOOLS_BIN = path.join(REPO_ROOT, '.tools', 'bin');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in PATH, if any. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds a tool binary: `$<envVar>` if set, else `<repo>/.tools/bin/<name>`, else `<name>` on PATH.
 * Throws an error that says how to install it when none is found.
 */
export function resolveBinary(name: string, envVar: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`${envVar}=${fromEnv} is not an executable file`);
  }
  const local = path.join(TOOLS_BIN, name);
  if (isExecutable(local)) return local;
  const found = findOnPath(name);
  if (found !== undefined) return found;
  throw new Error(
    `${name} not found: looked at $${envVar}, ${local} and PATH. ` +
      `Install it with \`bash deploy/install-tools.sh ${name}\` (from ${REPO_ROOT}).`,
  );
}

/** The Node.js the services run on: its binary, the options it needs, its version. */
export interface NodeRuntime {
  bin: string;
  args: readonly string[];
  version: string;
}

/** Where `deploy/install-tools.sh node` puts a Node.js 22 (opt-in: for `BENCH_NODE_B`, or `FLOWSCOPE_NODE`). */
export const TOOLS_NODE = path.join(REPO_ROOT, '.tools', 'node', 'bin', 'node');

const runtimes = new Map<string, NodeRuntime>();

/**
 * The Node.js to run the services with: `bin` if given, else `$FLOWSCOPE_NODE`, else the one running
 * this code. On Node 22 and 23, AsyncLocalStorage (the OTel context manager's) runs on
 * AsyncContextFrame only with `--experimental-async-context-frame` (the default from Node 24), so
 * that flag goes with them: without it every promise in a context runs async hooks. Node 22 against
 * 20 for the whole system: BENCHMARKS.md, "The hot path" (no clear win, so the default stays).
 */
export function nodeRuntime(bin?: string): NodeRuntime {
  const chosen = bin || process.env.FLOWSCOPE_NODE || process.execPath;
  let runtime = runtimes.get(chosen);
  if (!runtime) {
    const version =
      chosen === process.execPath
        ? process.versions.node
        : execFileSync(chosen, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const major = Number(version.split('.')[0]);
    runtime = {
      bin: chosen,
      args: major === 22 || major === 23 ? ['--experimental-async-context-frame'] : [],
      version,
    };
    runtimes.set(chosen, runtime);
  }
  return runtime;
}
