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
