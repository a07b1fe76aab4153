import {
  CUSTOMER_NOTIFIED,
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  ORDER_PLACED,
  PAYMENT_DECLINED,
  SHIPMENT_FAILED,
  SHIPMENT_SCHEDULED,
  STOCK_UNAVAILABLE,
  type EventEnvelope,
  type FlowStyle,
  type OrderItem,
} from '@flowscope/contracts';

export type OrderStatus = 'placed' | 'completed' | 'cancelled';

/** What `GET /orders/:id` returns: the orders service's own view of an order. */
export interface OrderRecord {
  orderId: string;
  status: OrderStatus;
  style: FlowStyle;
  customerId?: string;
  items?: OrderItem[];
  total?: number;
  currency?: string;
  destination?: string;
  reason?: string;
  placedAt?: string;
  completedAt?: string;
  cancelledAt?: string;
  notifiedAt?: string;
  updatedAt: string;
}

/** The events that end an order as cancelled, with how the reason reads. */
export const cancellingEvents = {
  [PAYMENT_DECLINED]: 'payment declined',
  [STOCK_UNAVAILABLE]: 'stock unavailable',
  [SHIPMENT_FAILED]: 'shipment failed',
} as const;

/**
 * Folds one event into an order. Events may come in any order (each has its own consumer), so an
 * unknown order is created from whatever arrives and a final status is never undone.
 */
export function applyOrderEvent(current: OrderRecord | undefined, event: EventEnvelope): OrderRecord {
  const base: OrderRecord = current ?? {
    orderId: event.data.orderId,
    status: 'placed',
    style: event.data.style ?? 'choreography',
    updatedAt: event.time,
  };
  const next: OrderRecord = { ...base, updatedAt: event.time };
  if (event.type === ORDER_PLACED) {
    const { customerId, items, total, currency, destination, style } = (event as EventEnvelope<typeof ORDER_PLACED>)
      .data;
    return {
      ...next,
      customerId,
      items,
      total,
      currency,
      destination,
      style: style ?? 'choreography',
      placedAt: base.placedAt ?? event.time,
    };
  }
  if (event.type === CUSTOMER_NOTIFIED) return { ...next, notifiedAt: base.notifiedAt ?? event.time };
  if (base.status !== 'placed') return base;
  if (event.type === SHIPMENT_SCHEDULED || event.type === ORDER_COMPLETED)
    return { ...next, status: 'completed', completedAt: event.time };
  if (event.type === ORDER_CANCELLED) {
    const detail = event.data.reason;
    return {
      ...next,
      status: 'cancelled',
      reason: typeof detail === 'string' ? detail : 'cancelled',
      cancelledAt: event.time,
    };
  }
  if (event.type in cancellingEvents) {
    const what = cancellingEvents[event.type as keyof typeof cancellingEvents];
    const detail = event.data.reason;
    const reason = typeof detail === 'string' && detail ? `${what}: ${detail}` : what;
    return { ...next, status: 'cancelled', reason, cancelledAt: event.time };
  }
  return base;
}
