import { z } from 'zod';

/** The two co-ordination styles; an event without one belongs to a choreographed flow. */
export const flowStyles = ['choreography', 'orchestration'] as const;
export const FlowStyleSchema = z.enum(flowStyles);
export type FlowStyle = z.infer<typeof FlowStyleSchema>;

export const OrderIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, _ and - are allowed');

const reason = z.string().max(500).optional();

/** Fields every domain event's data may carry besides its own. */
export const eventBase = {
  orderId: OrderIdSchema,
  style: FlowStyleSchema.optional(),
  reason,
};

/** The style of an event's flow: absent means choreography. */
export function styleOf(data: { style?: FlowStyle }): FlowStyle {
  return data.style ?? 'choreography';
}
