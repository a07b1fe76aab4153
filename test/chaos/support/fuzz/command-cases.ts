// Generated bad commands for every `cmd.*` subject: each must get `{ok:false, code:'INVALID_COMMAND'}`
// at once from the service that owns the subject, never a time-out.
import { commandSubjects, MAX_COMMAND_BYTES, type CommandSubject } from '@flowscope/contracts';
import { Rng, unicodeHeavy } from './random';

export const COMMAND_KINDS = [
  'malformed-json',
  'oversized',
  'not-an-object',
  'wrong-type',
  'missing-field',
  'unicode',
  'deep-nesting',
  'duplicate',
] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export interface CommandCase {
  kind: CommandKind;
  subject: CommandSubject;
  body: Uint8Array;
}

/** The service that answers a command subject (`cmd.<area>.<verb>`). */
export const COMMAND_OWNERS: Record<string, string> = {
  payment: 'payments',
  stock: 'seller',
  shipment: 'logistics',
  customer: 'notification',
};

export function ownerOf(subject: string): string {
  return COMMAND_OWNERS[subject.split('.')[1]];
}

function validCommand(subject: CommandSubject, orderId: string): Record<string, unknown> {
  switch (subject) {
    case 'cmd.payment.authorize':
      return { orderId, customerId: 'c-fuzz', amount: 5, currency: 'EUR', style: 'orchestration' };
    case 'cmd.stock.reserve':
      return { orderId, items: [{ sku: 'FUZZ-1', qty: 1, unitPrice: 5 }], style: 'orchestration' };
    case 'cmd.customer.notify':
      return { orderId, template: 'order-completed', style: 'orchestration' };
    default:
      return { orderId, style: 'orchestration' };
  }
}

function requiredFields(subject: CommandSubject): string[] {
  return Object.keys(validCommand(subject, 'o')).filter((k) => k !== 'style');
}

function wrongType(rng: Rng, subject: CommandSubject, orderId: string): Record<string, unknown> {
  const body = validCommand(subject, orderId);
  const breakers: (() => void)[] = [
    () => (body.orderId = rng.pick([7, null, [], { id: orderId }, '', 'o'.repeat(200)])),
    () => (body.style = rng.pick(['saga', 0, null])),
  ];
  if ('amount' in body)
    breakers.push(
      () => (body.amount = rng.pick([-1, '5', null])),
      () => (body.currency = rng.pick(['eur', 'EU', 978])),
    );
  if ('items' in body)
    breakers.push(
      () =>
        (body.items = rng.pick([
          [],
          'FUZZ-1',
          [{ sku: '', qty: 1, unitPrice: 1 }],
          Array.from({ length: 101 }, () => ({ sku: 'A', qty: 1, unitPrice: 1 })),
        ])),
    );
  if ('template' in body) breakers.push(() => (body.template = rng.pick(['', 't'.repeat(65), 12])));
  rng.pick(breakers)();
  return body;
}

/** One bad command of `kind` (a `duplicate` repeats the previous case byte for byte). */
export function badCommand(rng: Rng, kind: CommandKind, n: number, previous?: CommandCase): CommandCase {
  if (kind === 'duplicate' && previous) return { ...previous, kind };
  const subject = rng.pick(commandSubjects);
  const orderId = `fuzz-cmd-${n}`;
  const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const body = ((): Uint8Array => {
    switch (kind) {
      case 'malformed-json': {
        const text = JSON.stringify(validCommand(subject, orderId));
        return new TextEncoder().encode(
          rng.pick([text.slice(0, rng.int(1, text.length - 1)), '', `{${text}`, "{'orderId':'o'}", `\u0000${text}`]),
        );
      }
      case 'oversized':
        return json({
          ...validCommand(subject, orderId),
          padding: 'p'.repeat(rng.int(MAX_COMMAND_BYTES, MAX_COMMAND_BYTES * 3)),
        });
      case 'not-an-object':
        return json(rng.pick([[], 1, 'cmd', null, true, [validCommand(subject, orderId)]]));
      case 'missing-field': {
        const body = validCommand(subject, orderId);
        delete body[rng.pick(requiredFields(subject))];
        return json(body);
      }
      case 'deep-nesting': {
        const depth = rng.int(33, 20_000);
        return new TextEncoder().encode(
          JSON.stringify(validCommand(subject, orderId)).replace(
            /\}$/,
            `,"fuzz":${'['.repeat(depth)}${']'.repeat(depth)}}`,
          ),
        );
      }
      case 'unicode':
        return json({
          ...validCommand(subject, `o-${unicodeHeavy(rng, rng.int(1, 4))}`),
          reason: unicodeHeavy(rng, 6),
        });
      default:
        return json(wrongType(rng, subject, orderId));
    }
  })();
  return { kind, subject, body };
}
