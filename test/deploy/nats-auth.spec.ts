// The NATS users of deploy/nats/permissions.ts against what uses them: compose's nats.conf and
// service environments, the durable consumers the services create, and the apps' config. The
// real server's verdicts are in test/security.e2e-spec.ts and test/deploy/nats-conf.component-spec.ts.
import { EVENTS_STREAM_SUBJECTS } from '@flowscope/contracts';
import { durableName as transportDurableName } from '../../libs/messaging/src/jetstream-event-server';
import { baseConfigSchema, ConfigError, loadConfig, natsAuth } from '../../libs/runtime/src/config';
import { resolveLoadOptions } from '../../apps/loadgen/src/load-options';
import { APP_NAMES } from '../../deploy/launch/apps';
import { generateNatsUsers, natsClientEnv, natsConnectOptions, natsServerAuth } from '../../deploy/launch/nats-auth';
import {
  durableName,
  NATS_IDENTITIES,
  NATS_PERMISSIONS,
  passwordVariable,
  renderAuthorization,
} from '../../deploy/nats/permissions';
import { withUsers } from '../../deploy/nats/write-conf';
import { read, readYaml, type ComposeFile } from './compose-files';

const conf = read('deploy/nats/nats.conf');
const compose = readYaml<ComposeFile>('docker-compose.yml');

describe('deploy/nats/permissions.ts', () => {
  it('has a user for every app, the loadgen and an admin', () => {
    expect([...NATS_IDENTITIES].sort()).toEqual([...APP_NAMES, 'loadgen', 'admin'].sort());
  });

  it('names durable consumers as the JetStream transport does', () => {
    expect(durableName('orders', 'order.placed')).toBe(transportDurableName('orders', 'order.placed'));
    expect(durableName('seller', 'shipment.failed')).toBe(transportDurableName('seller', 'shipment.failed'));
  });

  it('lets each service publish only its own events; the tracker none, the loadgen order.placed only', () => {
    const eventSubjects = (identity: (typeof NATS_IDENTITIES)[number]) =>
      NATS_PERMISSIONS[identity].publish.filter((s) =>
        EVENTS_STREAM_SUBJECTS.some((root) => s.split('.')[0] === root.split('.')[0]),
      );
    expect(eventSubjects('orders')).toEqual(['order.>']);
    expect(eventSubjects('payments')).toEqual(['payment.>']);
    expect(eventSubjects('seller')).toEqual(['stock.>']);
    expect(eventSubjects('logistics')).toEqual(['shipment.>']);
    expect(eventSubjects('notification')).toEqual(['customer.>']);
    expect(eventSubjects('process-tracker')).toEqual([]);
    expect(eventSubjects('loadgen')).toEqual(['order.placed']);
  });

  it('gives no one but the admin a wildcard over everything, the JetStream API or streams other than its own', () => {
    for (const identity of NATS_IDENTITIES.filter((i) => i !== 'admin')) {
      const { publish, subscribe } = NATS_PERMISSIONS[identity];
      expect(
        [...publish, ...subscribe].filter(
          (s) =>
            s === '>' ||
            s.startsWith('$JS.API.>') ||
            s === '$JS.>' ||
            s.includes('STREAM.DELETE') ||
            s.includes('STREAM.PURGE'),
        ),
      ).toEqual([]);
    }
    expect(
      NATS_PERMISSIONS['process-tracker'].publish.filter((s) =>
        /^\$JS\.API\.STREAM\.(CREATE|UPDATE)\.(EVENTS|DLQ)$/.test(s),
      ),
    ).toEqual([]);
  });

  it('lets only the command answerers answer, each its own commands; only orders sends them', () => {
    const commands = Object.fromEntries(
      NATS_IDENTITIES.map((i) => [i, NATS_PERMISSIONS[i].subscribe.filter((s) => s.startsWith('cmd.'))]),
    );
    expect(commands).toEqual({
      orders: [],
      payments: ['cmd.payment.>'],
      seller: ['cmd.stock.>'],
      logistics: ['cmd.shipment.>'],
      notification: ['cmd.customer.>'],
      'process-tracker': [],
      loadgen: [],
      admin: [],
    });
    expect(NATS_IDENTITIES.filter((i) => NATS_PERMISSIONS[i].publish.includes('cmd.>'))).toEqual(['orders']);
  });
});

describe('deploy/nats/nats.conf', () => {
  it('holds the users of deploy/nats/permissions.ts, as written (node dist/deploy/nats/write-conf.js regenerates it)', () => {
    expect(conf).toBe(withUsers(conf));
    expect(conf).toContain(renderAuthorization());
    expect([...conf.matchAll(/^ {6}user: "([^"]+)"$/gm)].map((m) => m[1])).toEqual([...NATS_IDENTITIES]);
  });

  it('takes every password from the environment: each is a variable reference, none a literal', () => {
    const passwords = [...conf.matchAll(/^\s*password:\s*(\S+)$/gm)].map((m) => m[1]);
    expect(passwords).toEqual(NATS_IDENTITIES.map((i) => `$${passwordVariable(i)}`));
  });
});

describe('docker-compose.yml and NATS', () => {
  it('gives nats-server every password variable, from the shell with no default', () => {
    const env = compose.services.nats.environment ?? {};
    expect(Object.keys(env).sort()).toEqual(NATS_IDENTITIES.map(passwordVariable).sort());
    for (const [name, value] of Object.entries(env)) expect(value).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`));
  });

  it.each(APP_NAMES)('connects %s as its own user, with its password from the shell and no default', (name) => {
    const env = compose.services[name].environment ?? {};
    expect(env.NATS_USER).toBe(name);
    expect(env.NATS_PASSWORD).toMatch(new RegExp(`^\\$\\{${passwordVariable(name)}:\\?[^}]+\\}$`));
  });
});

describe('credentials in the apps and the local runner', () => {
  it('the apps read NATS_USER and NATS_PASSWORD together, or connect without authentication', () => {
    const config = (env: NodeJS.ProcessEnv) => natsAuth(loadConfig(baseConfigSchema, env));
    expect(config({ NATS_USER: 'payments', NATS_PASSWORD: 'secret' })).toEqual({ user: 'payments', pass: 'secret' });
    expect(config({})).toBeUndefined();
    expect(config({ NATS_USER: '', NATS_PASSWORD: '' })).toBeUndefined();
    expect(() => config({ NATS_USER: 'payments' })).toThrow(ConfigError);
    expect(() => config({ NATS_PASSWORD: 'secret' })).toThrow('NATS_USER');
  });

  it('the loadgen reads them from the environment only', () => {
    expect(resolveLoadOptions({}, { NATS_USER: 'loadgen', NATS_PASSWORD: 'secret' }).natsAuth).toEqual({
      user: 'loadgen',
      pass: 'secret',
    });
    expect(resolveLoadOptions({}, {}).natsAuth).toBeUndefined();
    expect(() => resolveLoadOptions({}, { NATS_USER: 'loadgen' })).toThrow('NATS_USER and NATS_PASSWORD');
  });

  it('the runner makes a fresh, strong password per user and run, shaped so nats-server reads it as a string', () => {
    const [a, b] = [generateNatsUsers(), generateNatsUsers()];
    const passwords = NATS_IDENTITIES.map((i) => a[i].pass);
    expect(new Set(passwords).size).toBe(NATS_IDENTITIES.length);
    for (const pass of passwords) expect(pass).toMatch(/^p[0-9a-f]{40}$/);
    expect(a.admin.pass).not.toBe(b.admin.pass);
    expect(natsServerAuth(a).env).toEqual(
      Object.fromEntries(NATS_IDENTITIES.map((i) => [passwordVariable(i), a[i].pass])),
    );
    expect(natsClientEnv(a.seller)).toEqual({ NATS_USER: 'seller', NATS_PASSWORD: a.seller.pass });
    expect(natsConnectOptions({ url: 'nats://127.0.0.1:1', users: a })).toEqual({
      servers: 'nats://127.0.0.1:1',
      user: 'admin',
      pass: a.admin.pass,
    });
    expect(natsConnectOptions({ url: 'nats://127.0.0.1:1' })).toEqual({ servers: 'nats://127.0.0.1:1' });
  });
});
