import { startNatsServer, type NatsServerHandle } from '../../../deploy/launch/nats-server';
import { waitFor } from '../../../deploy/launch/probe';
import { natsCli } from '../../../test/support/nats-cli';
import { NatsClient } from '@flowscope/messaging';
import { FailureFlags, FLAGS_BUCKET, type FlagKey, type FlagLog } from '../src';

// A real nats-server per file, and the real NATS CLI changing the flags as a person would.
jest.setTimeout(30_000);

let server: NatsServerHandle;
let nats: NatsClient;
const followers: FailureFlags[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nats = await NatsClient.connect(server.url, 'flags-test');
});

afterAll(async () => {
  for (const flags of followers) flags.stop();
  await nats?.drain();
  await server?.stop();
});

function recordingLog(): FlagLog & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), log: () => undefined };
}

async function follow(log: FlagLog): Promise<FailureFlags> {
  const flags = await FailureFlags.watch(nats.js, { log });
  followers.push(flags);
  return flags;
}

/** `nats kv <args…>` on the test's server; throws unless the CLI succeeds. */
async function kv(...args: string[]): Promise<void> {
  const result = await natsCli(['kv', ...args], { server: server.url });
  if (result.code !== 0) throw new Error(`nats kv ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}

/** The change is seen within about a second of the CLI returning: a watch, not a poll of KV. */
function seen(flags: FailureFlags, key: FlagKey, value: number): Promise<true> {
  return waitFor(() => flags.value(key) === value || undefined, {
    timeoutMs: 1500,
    intervalMs: 20,
    what: `${key} to be ${value}`,
  });
}

describe('FailureFlags on a real bucket', () => {
  it('creates the bucket when it is missing, and starts with no failures', async () => {
    await expect(nats.jsm.streams.info('KV_flags-fresh')).rejects.toThrow('stream not found');
    const flags = await FailureFlags.watch(nats.js, { bucket: 'flags-fresh', log: recordingLog() });
    followers.push(flags);
    await expect(nats.jsm.streams.info('KV_flags-fresh')).resolves.toBeDefined();
    expect(Object.values(flags.snapshot()).every((v) => v === 0)).toBe(true);
  });

  it('follows `nats kv put` and `nats kv del` from the real CLI', async () => {
    const flags = await follow(recordingLog());
    await kv('put', FLAGS_BUCKET, 'payment.declineRate', '0.2');
    await seen(flags, 'payment.declineRate', 0.2);
    await kv('put', FLAGS_BUCKET, 'payment.declineRate', '1');
    await seen(flags, 'payment.declineRate', 1);
    await kv('del', '--force', FLAGS_BUCKET, 'payment.declineRate');
    await seen(flags, 'payment.declineRate', 0);
  });

  it('ignores an invalid value, logs the key and the reason, and keeps the previous value', async () => {
    const log = recordingLog();
    const flags = await follow(log);
    await kv('put', FLAGS_BUCKET, 'seller.latencyMs', '250');
    await seen(flags, 'seller.latencyMs', 250);
    await kv('put', FLAGS_BUCKET, 'seller.latencyMs', 'soon');
    await kv('put', FLAGS_BUCKET, 'seller.outOfStockRate', '7');
    // A valid change made after the bad ones: once it is seen, the bad ones were handled too.
    await kv('put', FLAGS_BUCKET, 'logistics.failureRate', '0.5');
    await seen(flags, 'logistics.failureRate', 0.5);
    expect(flags.value('seller.latencyMs')).toBe(250);
    expect(flags.value('seller.outOfStockRate')).toBe(0);
    expect(log.warnings).toEqual([
      'failure flag seller.latencyMs ignored: "soon" is not a number; keeps 250',
      'failure flag seller.outOfStockRate ignored: a rate must be between 0 and 1, not 7; keeps 0',
    ]);
  });

  it('a service that starts later begins with the values already in the bucket', async () => {
    await kv('put', FLAGS_BUCKET, 'notification.dropRate', '0.3');
    const flags = await follow(recordingLog());
    expect(flags.value('notification.dropRate')).toBe(0.3);
  });
});
