import type { OrderItem } from '@flowscope/contracts';

/** SKUs starting with this are never in stock: lets a test or a user ask for "out of stock". */
export const OUT_OF_STOCK_SKU_PREFIX = 'OOS-';

export type ReservationDecision =
  | { outcome: 'reserved'; reservationId: string }
  | { outcome: 'unavailable'; sku: string; reason: string };

/** Deterministic: the same order always gets the same decision, in both styles. */
export function decideReservation(orderId: string, items: OrderItem[]): ReservationDecision {
  const missing = items.find((item) => item.sku.startsWith(OUT_OF_STOCK_SKU_PREFIX));
  if (missing) return { outcome: 'unavailable', sku: missing.sku, reason: `${missing.sku} is out of stock` };
  return { outcome: 'reserved', reservationId: `res-${orderId}` };
}
