import { FlowStyleSchema, OrderIdSchema, OrderItemSchema } from '@flowscope/contracts';
import { z } from 'zod';

/** `POST /orders` body. Unknown fields are refused, so no personal data slips into an event. */
export const PlaceOrderRequestSchema = z.strictObject({
  /** Optional: lets a client retry a placement safely; generated when absent. */
  orderId: OrderIdSchema.optional(),
  customerId: z.string().min(1).max(128),
  items: z.array(OrderItemSchema).min(1).max(100),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .default('EUR'),
  destination: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as DE')
    .optional(),
  /** Defaults to the ORDER_STYLE setting. */
  style: FlowStyleSchema.optional(),
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequestSchema>;

/** Order total in the smallest sensible precision (cents). */
export function orderTotal(items: PlaceOrderRequest['items']): number {
  return Math.round(items.reduce((sum, i) => sum + i.qty * i.unitPrice, 0) * 100) / 100;
}
