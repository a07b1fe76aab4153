import { z } from 'zod';
import { FlowStyleSchema, OrderIdSchema } from '../events/common';
import { OrderItemSchema } from '../events/order';

// Orchestration commands: core NATS request/reply, never captured by a stream. A command is a bare
// JSON object (what `nats req cmd.payment.authorize '{...}'` sends); trace context rides in headers.

export const CMD_PAYMENT_AUTHORIZE = 'cmd.payment.authorize';
export const CMD_PAYMENT_REFUND = 'cmd.payment.refund';
export const CMD_STOCK_RESERVE = 'cmd.stock.reserve';
export const CMD_STOCK_RELEASE = 'cmd.stock.release';
export const CMD_SHIPMENT_SCHEDULE = 'cmd.shipment.schedule';
export const CMD_CUSTOMER_NOTIFY = 'cmd.customer.notify';

const base = { orderId: OrderIdSchema, style: FlowStyleSchema.optional() };

export const commandSchemas = {
  [CMD_PAYMENT_AUTHORIZE]: z.looseObject({
    ...base,
    customerId: z.string().min(1).max(128),
    amount: z.number().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  }),
  [CMD_PAYMENT_REFUND]: z.looseObject({ ...base, reason: z.string().max(500).optional() }),
  [CMD_STOCK_RESERVE]: z.looseObject({ ...base, items: z.array(OrderItemSchema).min(1).max(100) }),
  [CMD_STOCK_RELEASE]: z.looseObject({ ...base, reason: z.string().max(500).optional() }),
  [CMD_SHIPMENT_SCHEDULE]: z.looseObject({
    ...base,
    destination: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  }),
  [CMD_CUSTOMER_NOTIFY]: z.looseObject({ ...base, template: z.string().min(1).max(64) }),
} as const;

export type CommandSubject = keyof typeof commandSchemas;
export type CommandData<S extends CommandSubject> = z.infer<(typeof commandSchemas)[S]>;
export const commandSubjects = Object.keys(commandSchemas) as CommandSubject[];

export function isCommandSubject(value: string): value is CommandSubject {
  return Object.prototype.hasOwnProperty.call(commandSchemas, value);
}

/** A command's answer: done (with what it produced), or refused with a stable code. */
export type CommandReply =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; code: string; message: string; retryable?: boolean; issues?: { path: string; message: string }[] };

export const CommandReplySchema = z.union([
  z.looseObject({ ok: z.literal(true) }),
  z.looseObject({ ok: z.literal(false), code: z.string(), message: z.string(), retryable: z.boolean().optional() }),
]);

/** Commands that undo a step: their spans carry `flowscope.saga.compensating=true`. */
export const COMPENSATION_COMMANDS: ReadonlySet<string> = new Set([CMD_PAYMENT_REFUND, CMD_STOCK_RELEASE]);
