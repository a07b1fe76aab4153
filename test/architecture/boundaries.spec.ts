// The boundary rules of .dependency-cruiser.cjs (run by `npm run lint`) fire on a deliberate
// violation of each, and on nothing else: checked on a small tree of fixture files laid out like the
// repository (apps/*, libs/*, the @flowscope/* paths of a tsconfig.json, packages in node_modules).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const CHECK = path.join(ROOT, 'scripts', 'check-boundaries.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** A tree that keeps every rule: apps use libraries through @flowscope/<lib>, libraries use lower ones. */
const WITHIN_BOUNDS: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@flowscope/*': ['libs/*/src'] } } }),
  'node_modules/nats/package.json': JSON.stringify({ name: 'nats', main: 'index.js' }),
  'node_modules/nats/index.js': 'module.exports = {};',
  'node_modules/@nestjs/common/package.json': JSON.stringify({ name: '@nestjs/common', main: 'index.js' }),
  'node_modules/@nestjs/common/index.js': 'module.exports = {};',
  'libs/contracts/src/index.ts': "export * from './codes';",
  'libs/contracts/src/codes.ts': "export const CODE = 'CODE';",
  'libs/telemetry/src/index.ts': "import 'nats';\nexport const span = 1;",
  'libs/messaging/src/index.ts': "import '@flowscope/contracts';\nimport '@flowscope/telemetry';\nimport 'nats';",
  'libs/newlib/src/index.ts': "import '@flowscope/messaging';\nexport const fresh = 1;",
  'libs/newlib/src/a.ts': 'export const a = 1;',
  'apps/orders/src/main.ts': "import '@flowscope/contracts';\nimport '@flowscope/newlib';\nimport '@nestjs/common';",
  'apps/payments/src/main.ts': "import '@flowscope/messaging';\nexport const port = 3002;",
  'apps/newapp/src/main.ts': 'export const fresh = 1;',
  'libs/newlib/src/b.ts': "import './a';\nexport const b = 1;",
};

/** One deliberate violation per rule (and per kind of infrastructure), with what it must report. */
const VIOLATIONS: { rule: string; file: string; source: string; target: string }[] = [
  {
    rule: 'app-imports-app',
    file: 'apps/orders/src/a.ts',
    source: "import '../../payments/src/main';",
    target: 'apps/payments/src/main.ts',
  },
  {
    rule: 'app-imports-app',
    file: 'apps/newapp/src/a.ts',
    source: "import '../../orders/src/main';",
    target: 'apps/orders/src/main.ts',
  },
  {
    rule: 'lib-imports-app',
    file: 'libs/messaging/src/a.ts',
    source: "import '../../../apps/orders/src/main';",
    target: 'apps/orders/src/main.ts',
  },
  {
    rule: 'contracts-import-infrastructure',
    file: 'libs/contracts/src/a.ts',
    source: "import 'nats';",
    target: 'node_modules/nats/index.js',
  },
  {
    rule: 'contracts-import-infrastructure',
    file: 'libs/contracts/src/b.ts',
    source: "import '@nestjs/common';",
    target: 'node_modules/@nestjs/common/index.js',
  },
  {
    rule: 'contracts-import-infrastructure',
    file: 'libs/contracts/src/c.ts',
    source: "import '@flowscope/newlib';",
    target: 'libs/newlib/src/index.ts',
  },
  {
    rule: 'telemetry-imports-library',
    file: 'libs/telemetry/src/a.ts',
    source: "import '@flowscope/contracts';",
    target: 'libs/contracts/src/index.ts',
  },
  {
    rule: 'library-reached-past-its-surface',
    file: 'apps/payments/src/a.ts',
    source: "import '../../../libs/contracts/src/codes';",
    target: 'libs/contracts/src/codes.ts',
  },
  // A cycle is reported once, from its first module.
  {
    rule: 'no-cycles',
    file: 'libs/newlib/src/a.ts',
    source: "import './b';\nexport const a = 1;",
    target: 'libs/newlib/src/b.ts',
  },
];

const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowscope-boundaries-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Runs the check as `npm run lint` does; returns its exit code and the violations it reports. */
async function check(dir: string): Promise<{ code: number; violations: string[] }> {
  const run = promisify(execFile)(process.execPath, [CHECK, '--config', CONFIG, 'apps', 'libs'], { cwd: dir });
  const { stdout, code } = await run.then(
    (ok) => ({ stdout: ok.stdout, code: 0 }),
    (failed: { stdout: string; code: number }) => ({ stdout: failed.stdout, code: failed.code }),
  );
  const violations = [...stdout.matchAll(/error (\S+): (\S+) →\s+(\S+)/g)].map(
    ([, rule, from, to]) => `${rule}: ${from} → ${to}`,
  );
  return { code, violations: violations.sort() };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('module boundaries (dependency-cruiser, npm run lint)', () => {
  it('a tree within the boundaries passes, new apps and libraries included', async () => {
    expect(await check(tree(WITHIN_BOUNDS))).toEqual({ code: 0, violations: [] });
  }, 120_000);

  it('each rule fires on its deliberate violation, and the check fails', async () => {
    const files = Object.fromEntries(VIOLATIONS.map((v) => [v.file, v.source])); // replacing clean files of the same name
    const { code, violations } = await check(tree({ ...WITHIN_BOUNDS, ...files }));
    expect(code).toBe(1);
    expect(violations).toEqual(VIOLATIONS.map((v) => `${v.rule}: ${v.file} → ${v.target}`).sort());
  }, 120_000);
});
