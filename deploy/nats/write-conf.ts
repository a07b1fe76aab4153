// Rewrites the users of deploy/nats/nats.conf from deploy/nats/permissions.ts:
//   npm run build && node dist/deploy/nats/write-conf.js
// test/deploy/nats-auth.spec.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../launch/binaries';
import { renderAuthorization } from './permissions';

export const NATS_CONF = path.join(REPO_ROOT, 'deploy', 'nats', 'nats.conf');
export const BEGIN =
  '# BEGIN users: generated from deploy/nats/permissions.ts by deploy/nats/write-conf.ts, do not edit\n';
export const END = '# END users\n';

/** `conf` with its generated users block replaced by (or appended as) the current one. */
export function withUsers(conf: string): string {
  const block = `${BEGIN}${renderAuthorization()}${END}`;
  const start = conf.indexOf(BEGIN);
  if (start < 0) return `${conf.trimEnd()}\n\n${block}`;
  return conf.slice(0, start) + block + conf.slice(conf.indexOf(END, start) + END.length);
}

if (require.main === module) writeFileSync(NATS_CONF, withUsers(readFileSync(NATS_CONF, 'utf8')));
