// Secrets only from the environment: no file in git sets a password, token or secret to a value;
// configuration only refers to a variable (`${NAME:?...}` in compose, `$NAME` in nats.conf).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../deploy/launch/binaries';

/** Configuration files, where a credential would be a value (code and prose are not scanned). */
const CONFIG_FILE = /(^|\/)(\.env[^/]*|[^/]+\.(ya?ml|conf|ini|toml|json|properties))$/;
// A key naming a credential, then `=` or `:`, then a value: the value is what we look at.
const ASSIGNMENT =
  /([A-Za-z0-9_.-]*(password|passwd|secret|token|credentials?)[A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s,}#]*)/gi;
/** A reference to the environment: compose `${NAME:?...}` (no default) or nats-server `$NAME`. */
const REFERENCE = /^\$(\{[A-Za-z_][A-Za-z0-9_]*:\?|[A-Za-z_][A-Za-z0-9_]*$)/;
/** What documentation in a comment or an error message puts in place of a value: `...`, `<choose one>`. */
const PLACEHOLDER = /^(\.\.\.|<.*)$/;

/** `file: key=value` for every credential a text sets to a literal value. */
export function literalCredentials(file: string, text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*(#|\/\/)/.test(line)) continue;
    for (const [, key, , value] of line.matchAll(ASSIGNMENT)) {
      if (value !== '' && !REFERENCE.test(value) && !PLACEHOLDER.test(value)) found.push(`${file}: ${key}=${value}`);
    }
  }
  return found;
}

function committedConfigFiles(): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n');
  return files.filter(
    (f) => CONFIG_FILE.test(f) && !f.endsWith('package-lock.json') && existsSync(path.join(REPO_ROOT, f)),
  );
}

describe('secrets only from the environment', () => {
  it('spots a credential written into a file, and lets references to the environment pass', () => {
    expect(literalCredentials('.env', 'NATS_PASSWORD_ORDERS=hunter2\nLOG_LEVEL=info')).toEqual([
      '.env: NATS_PASSWORD_ORDERS=hunter2',
    ]);
    expect(literalCredentials('c.yml', '      GF_SECURITY_ADMIN_PASSWORD: admin')).toEqual([
      'c.yml: GF_SECURITY_ADMIN_PASSWORD=admin',
    ]);
    expect(
      literalCredentials('c.yml', '  GF_SECURITY_ADMIN_PASSWORD: "${GRAFANA_ADMIN_PASSWORD:-admin}"'),
    ).toHaveLength(1); // a default is a literal
    expect(literalCredentials('n.conf', '  password: s3cret')).toEqual(['n.conf: password=s3cret']);
    expect(literalCredentials('n.conf', '  password: $NATS_PASSWORD_ORDERS')).toEqual([]);
    expect(literalCredentials('c.yml', '  NATS_PASSWORD: "${NATS_PASSWORD_ORDERS:?set it}"')).toEqual([]);
    expect(literalCredentials('.env', '# NATS_PASSWORD=\nNATS_PASSWORD=')).toEqual([]);
    expect(
      literalCredentials('c.yml', '  X: "${X:?e.g. GRAFANA_ADMIN_PASSWORD=... or NATS_PASSWORD=<yours>}"'),
    ).toEqual([]);
  });

  it('no committed configuration file sets a password, token or secret to a value', () => {
    const files = committedConfigFiles();
    expect(files).toEqual(
      expect.arrayContaining(['.env', '.env.example', 'docker-compose.yml', 'deploy/nats/nats.conf']),
    );
    expect(files.flatMap((file) => literalCredentials(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')))).toEqual(
      [],
    );
  });

  it('Grafana has no default admin password: compose requires one from the shell', () => {
    const compose = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/GF_SECURITY_ADMIN_PASSWORD: "\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}"/);
    expect(readFileSync(path.join(REPO_ROOT, '.env'), 'utf8')).not.toMatch(/^\s*[A-Z_]*PASSWORD[A-Z_]*=/m);
  });
});
