// The one source of truth for who may do what on NATS: a user per service, one for the load
// generator and an admin for people, tests and stream setup. deploy/nats/nats.conf (compose) holds
// the block `renderAuthorization()` writes, and the local runner (deploy/launch/nats-auth.ts) starts
// nats-server with the same block; passwords are never here, only the variables that hold them.

/** Every NATS identity, one user name each. */
export const NATS_IDENTITIES = [
  'orders',
  'payments',
  'seller',
  'logistics',
  'notification',
  'process-tracker',
  'loadgen',
  'admin',
] as const;
export type NatsIdentity = (typeof NATS_IDENTITIES)[number];

/** What one user may publish and subscribe to; `allowResponses` lets it answer requests sent to it. */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  allowResponses: boolean;
}

/** Replies to the client's own requests (JetStream API, publish acks, pull batches) land in inboxes. */
const INBOXES = '_INBOX.>';
const JS_ACCOUNT_INFO = '$JS.API.INFO';

/** Read the EVENTS and DLQ streams' info; create or update them only with `manage`. */
function streams(manage: boolean): string[] {
  const actions = manage ? ['INFO', 'CREATE', 'UPDATE'] : ['INFO'];
  return ['EVENTS', 'DLQ'].flatMap((stream) => actions.map((action) => `$JS.API.STREAM.${action}.${stream}`));
}

/** The durable consumer name the JetStream transport gives a service's subscription to `subject`. */
export function durableName(service: string, subject: string): string {
  return `${service}-${subject.replace(/[.*>]/g, '_')}`;
}

/** Create, read and pull from one durable consumer on EVENTS, and acknowledge its messages. */
function durable(name: string): string[] {
  return [
    `$JS.API.CONSUMER.CREATE.EVENTS.${name}`,
    `$JS.API.CONSUMER.CREATE.EVENTS.${name}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.EVENTS.${name}`,
    `$JS.API.CONSUMER.INFO.EVENTS.${name}`,
    `$JS.API.CONSUMER.MSG.NEXT.EVENTS.${name}`,
    `$JS.ACK.EVENTS.${name}.>`,
  ];
}

/**
 * Read a stream through ordered consumers (no acks; the reader keeps its own position): create them
 * under any name, pull from them, read and delete them.
 */
function orderedReader(stream: string): string[] {
  return [
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
  ];
}

/** Open (creating if missing), read and watch a KV bucket; put and delete keys only with `write`. */
function kv(bucket: string, write: boolean): string[] {
  const stream = `KV_${bucket}`;
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    // Watches and key listings are ordered consumers: created, read, deleted, flow-controlled.
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
    ...(write ? [`$KV.${bucket}.>`] : []),
  ];
}

interface ServiceSpec {
  /** Its own event subjects (JetStream publishes). */
  events: string[];
  /** The event subjects it consumes, one durable consumer each. */
  consumes: string[];
  /** Command subjects it answers (core NATS request/reply, queue group = service name). */
  answers?: string;
  /** KV buckets it writes. */
  buckets: string[];
  /** Other services' KV buckets it may read (a fallback: see @flowscope/fulfilment's OrderLookup). */
  reads?: string[];
  /** Reads the failure flags. */
  flagged: boolean;
}

const SERVICES: Record<'orders' | 'payments' | 'seller' | 'logistics' | 'notification', ServiceSpec> = {
  orders: {
    events: ['order.>'],
    consumes: [
      'order.placed',
      'customer.notified',
      'shipment.scheduled',
      'payment.declined',
      'stock.unavailable',
      'shipment.failed',
    ],
    buckets: ['orders', 'sagas'],
    flagged: false,
  },
  payments: {
    events: ['payment.>'],
    consumes: ['order.placed', 'stock.unavailable', 'shipment.failed'],
    answers: 'cmd.payment.>',
    buckets: ['payments'],
    flagged: true,
  },
  seller: {
    events: ['stock.>'],
    consumes: ['payment.authorized', 'shipment.failed'],
    answers: 'cmd.stock.>',
    buckets: ['seller-reservations'],
    reads: ['orders'],
    flagged: true,
  },
  logistics: {
    events: ['shipment.>'],
    consumes: ['stock.reserved'],
    answers: 'cmd.shipment.>',
    buckets: [],
    reads: ['orders'],
    flagged: true,
  },
  notification: {
    events: ['customer.>'],
    consumes: ['order.completed', 'order.cancelled'],
    answers: 'cmd.customer.>',
    buckets: ['notification-sent'],
    flagged: true,
  },
};

function service(name: keyof typeof SERVICES): NatsPermissions {
  const spec = SERVICES[name];
  return {
    publish: [
      ...spec.events,
      ...(name === 'orders' ? ['cmd.>'] : []), // the orchestrator's command requests
      `dlq.${name}`,
      JS_ACCOUNT_INFO,
      ...streams(true),
      ...spec.consumes.flatMap((subject) => durable(durableName(name, subject))),
      ...spec.buckets.flatMap((bucket) => kv(bucket, true)),
      ...(spec.reads ?? []).flatMap((bucket) => kv(bucket, false)),
      ...(spec.flagged ? kv('flags', false) : []),
    ],
    subscribe: [INBOXES, ...(spec.answers ? [spec.answers] : [])],
    allowResponses: spec.answers !== undefined,
  };
}

/**
 * Every identity's permissions. The tracker only reads events (ordered consumers, its position in its
 * own checkpoints): it publishes flow changes and its dead letters, and writes its state buckets.
 */
export const NATS_PERMISSIONS: Record<NatsIdentity, NatsPermissions> = {
  orders: service('orders'),
  payments: service('payments'),
  seller: service('seller'),
  logistics: service('logistics'),
  notification: service('notification'),
  'process-tracker': {
    publish: [
      'flow.>',
      'dlq.process-tracker',
      JS_ACCOUNT_INFO,
      ...streams(false),
      ...orderedReader('EVENTS'),
      ...kv('flows', true),
      ...orderedReader('KV_flows'),
      ...kv('flows-open', true),
      ...kv('tracker-positions', true),
      ...kv('tracker-leases', true),
      // Lists across replicas: every replica asks and answers (apps/process-tracker/src/flows/api/peer-lists.ts).
      'flowscope.tracker.>',
    ],
    subscribe: [INBOXES, 'flowscope.tracker.>'],
    allowResponses: false,
  },
  // Places orders as the orders service would (order.placed only) and writes the failure flags.
  loadgen: {
    publish: ['order.placed', JS_ACCOUNT_INFO, ...streams(true), ...kv('flags', true)],
    subscribe: [INBOXES],
    allowResponses: false,
  },
  admin: { publish: ['>'], subscribe: ['>'], allowResponses: false },
};

/** The environment variable that holds an identity's password: `NATS_PASSWORD_PROCESS_TRACKER`. */
export function passwordVariable(identity: NatsIdentity): string {
  return `NATS_PASSWORD_${identity.toUpperCase().replace(/-/g, '_')}`;
}

/** One subject a line: the file is read by people, and diffs stay small. */
const list = (subjects: string[], indent: string) =>
  `[\n${subjects.map((s) => `${indent}  ${JSON.stringify(s)}`).join('\n')}\n${indent}]`;

/**
 * The nats-server `authorization` block for every identity; each password is a reference to its
 * environment variable (nats-server resolves `$NAME` from the environment and refuses to start
 * when one is missing).
 */
export function renderAuthorization(): string {
  const users = NATS_IDENTITIES.map((identity) => {
    const p = NATS_PERMISSIONS[identity];
    return [
      `    {`,
      `      user: ${JSON.stringify(identity)}`,
      `      password: $${passwordVariable(identity)}`,
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish, '        ')} }`,
      `        subscribe: { allow: ${list(p.subscribe, '        ')} }`,
      ...(p.allowResponses ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    ].join('\n');
  });
  return `authorization {\n  users = [\n${users.join('\n')}\n  ]\n}\n`;
}
