// The module boundaries of ARCHITECTURE.md "Layout", checked on the source: apps never import other
// apps, libraries never import apps, contracts import no infrastructure.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.(spec|component-spec)\.ts$/.test(entry.name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/** `apps/<name>` or `libs/<name>` that a file or an import target lies in. */
function ownerOf(target: string): string | undefined {
  const rel = path.relative(ROOT, target).split(path.sep);
  return rel[0] === 'apps' || rel[0] === 'libs' ? `${rel[0]}/${rel[1]}` : undefined;
}

const files = [...sourceFiles(path.join(ROOT, 'apps')), ...sourceFiles(path.join(ROOT, 'libs'))];

describe('module boundaries', () => {
  it('finds the code it checks', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('apps never import another app, and libraries never import an app', () => {
    const crossings = files.flatMap((file) => {
      const owner = ownerOf(file)!;
      return imports(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => ({
          file: path.relative(ROOT, file),
          spec,
          target: ownerOf(path.resolve(path.dirname(file), spec)),
        }))
        .filter(({ target }) => target !== undefined && target !== owner && target.startsWith('apps/'));
    });
    expect(crossings).toEqual([]);
  });

  it('libraries are reached through their public surface, @flowscope/<lib>', () => {
    const deep = files.flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith('.') && ownerOf(path.resolve(path.dirname(file), spec)) !== ownerOf(file))
        .map((spec) => `${path.relative(ROOT, file)} -> ${spec}`),
    );
    expect(deep).toEqual([]);
  });

  it('contracts import no infrastructure', () => {
    const infra = sourceFiles(path.join(ROOT, 'libs', 'contracts')).flatMap((file) =>
      imports(file)
        .filter((spec) => /^(nats|@nestjs\/|@opentelemetry\/|@flowscope\/)/.test(spec))
        .map((spec) => `${path.relative(ROOT, file)} -> ${spec}`),
    );
    expect(infra).toEqual([]);
  });
});
