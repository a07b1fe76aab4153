import type { z } from 'zod';
import * as customer from './customer';
import * as order from './order';
import * as payment from './payment';
import * as shipment from './shipment';
import * as stock from './stock';

export * from './common';
export * from './customer';
export * from './order';
export * from './payment';
export * from './shipment';
export * from './stock';

/** Every domain event type (= its NATS subject) with the schema of its data. */
export const eventSchemas = {
  [order.ORDER_PLACED]: order.OrderPlacedSchema,
  [payment.PAYMENT_AUTHORIZED]: payment.PaymentEventSchema,
  [payment.PAYMENT_DECLINED]: payment.PaymentEventSchema,
  [payment.PAYMENT_REFUNDED]: payment.PaymentEventSchema,
  [stock.STOCK_RESERVED]: stock.StockEventSchema,
  [stock.STOCK_UNAVAILABLE]: stock.StockEventSchema,
  [stock.STOCK_RELEASED]: stock.StockEventSchema,
  [shipment.SHIPMENT_SCHEDULED]: shipment.ShipmentEventSchema,
  [shipment.SHIPMENT_FAILED]: shipment.ShipmentEventSchema,
  [order.ORDER_COMPLETED]: order.OrderCompletedSchema,
  [order.ORDER_CANCELLED]: order.OrderCancelledSchema,
  [customer.CUSTOMER_NOTIFIED]: customer.CustomerNotifiedSchema,
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(eventSchemas, value);
}
