import { z } from 'zod';
import { eventBase, FlowStyleSchema, OrderIdSchema } from './common';

export const ORDER_PLACED = 'order.placed';
export const ORDER_COMPLETED = 'order.completed';
export const ORDER_CANCELLED = 'order.cancelled';

export const OrderItemSchema = z.object({
  sku: z.string().min(1).max(64),
  qty: z.number().int().positive().max(10_000),
  unitPrice: z.number().nonnegative().max(1_000_000),
});

export const DestinationSchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as DE');

/**
 * What the later steps of a choreographed order need from its `order.placed`, carried forward by
 * `payment.authorized` and `stock.reserved` so that seller and logistics keep no copy of each order.
 * Optional (additive): events published before it existed lack it.
 */
export const FulfilmentSchema = z.object({
  items: z.array(OrderItemSchema).min(1).max(100),
  destination: DestinationSchema.optional(),
});
export type Fulfilment = z.infer<typeof FulfilmentSchema>;

export const OrderPlacedSchema = z.looseObject({
  orderId: OrderIdSchema,
  customerId: z.string().min(1).max(128),
  items: z.array(OrderItemSchema).min(1).max(100),
  total: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  style: FlowStyleSchema.optional(),
  /** ISO 3166 country the order ships to (not an address: no personal data travels). */
  destination: DestinationSchema.optional(),
});
export type OrderPlaced = z.infer<typeof OrderPlacedSchema>;
export type OrderItem = z.infer<typeof OrderItemSchema>;

export const OrderCompletedSchema = z.looseObject({ ...eventBase });
export type OrderCompleted = z.infer<typeof OrderCompletedSchema>;

export const OrderCancelledSchema = z.looseObject({ ...eventBase });
export type OrderCancelled = z.infer<typeof OrderCancelledSchema>;
