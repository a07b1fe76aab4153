// Credentials for a NATS server the local runner starts with the users of deploy/nats/permissions.ts:
// a fresh random password per identity and run, handed to nats-server and to each process through
// the environment only (never written to a file).
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { ensureStreams } from '../../libs/messaging/src/streams';
import { NATS_IDENTITIES, passwordVariable, renderAuthorization, type NatsIdentity } from '../nats/permissions';

/** A user name and its password. */
export interface NatsCredentials {
  user: NatsIdentity;
  pass: string;
}

/** Every identity's credentials for one server. */
export type NatsUsers = Record<NatsIdentity, NatsCredentials>;

/**
 * A letter, then 40 hex digits: nats-server parses an environment variable as a config value, so a
 * password must not look like a number, a size or a boolean.
 */
function randomPassword(): string {
  return `p${randomBytes(20).toString('hex')}`;
}

/** New random credentials for every identity. */
export function generateNatsUsers(): NatsUsers {
  return Object.fromEntries(NATS_IDENTITIES.map((user) => [user, { user, pass: randomPassword() }])) as NatsUsers;
}

/** What nats-server needs: the authorization block and the password variables it references. */
export function natsServerAuth(users: NatsUsers): { authorization: string; env: Record<string, string> } {
  const env = Object.fromEntries(NATS_IDENTITIES.map((identity) => [passwordVariable(identity), users[identity].pass]));
  return { authorization: renderAuthorization(), env };
}

/** The environment an app or the loadgen reads its own credentials from (`NATS_USER`, `NATS_PASSWORD`). */
export function natsClientEnv(credentials: NatsCredentials | undefined): Record<string, string> {
  return credentials ? { NATS_USER: credentials.user, NATS_PASSWORD: credentials.pass } : {};
}

/** A server as the runner started it: its URL and, with auth on, its users. */
export interface NatsEndpoint {
  url: string;
  users?: NatsUsers;
}

/**
 * Options for nats.js `connect` as `identity` (default the admin) on `server`; without auth on the
 * server, just its URL: `connect(natsConnectOptions(system.nats))`.
 */
export function natsConnectOptions(
  server: NatsEndpoint,
  identity: NatsIdentity = 'admin',
): { servers: string; user?: string; pass?: string } {
  const credentials = server.users?.[identity];
  return credentials
    ? { servers: server.url, user: credentials.user, pass: credentials.pass }
    : { servers: server.url };
}

/**
 * Creates (or updates) the EVENTS and DLQ streams as the admin: with auth on, the services may
 * bring the streams to their configuration too, the tracker only reads it: so the streams exist before
 * any app starts, whichever starts first.
 */
export async function setUpStreams(server: NatsEndpoint): Promise<void> {
  const nc = await connect({ ...natsConnectOptions(server), name: 'flowscope-setup' });
  try {
    await ensureStreams(await nc.jetstreamManager());
  } finally {
    await nc.close();
  }
}
