import type { OrderItem } from '@flowscope/contracts';

/** SKUs starting with this are never in stock: lets a test or a user ask for "out of stock". */
export const OUT_OF_STOCK_SKU_PREFIX = 'OOS-';

export type ReservationDecision =
  { outcome: 'reserved'; reservationId: string } | { outcome: 'unavailable'; sku: string; reason: string };

/**
 * Deterministic: the same order always gets the same decision, in both styles. `flaggedUnavailable`
 * is asked only when every sku is in stock: whether the failure flag `seller.outOfStockRate` finds
 * the order's first sku out of stock instead.
 */
export function decideReservation(
  orderId: string,
  items: OrderItem[],
  flaggedUnavailable: () => boolean = () => false,
): ReservationDecision {
  const missing = items.find((item) => item.sku.startsWith(OUT_OF_STOCK_SKU_PREFIX));
  if (missing) return { outcome: 'unavailable', sku: missing.sku, reason: `${missing.sku} is out of stock` };
  if (items.length > 0 && flaggedUnavailable()) {
    return {
      outcome: 'unavailable',
      sku: items[0].sku,
      reason: `${items[0].sku} is out of stock (failure flag seller.outOfStockRate)`,
    };
  }
  return { outcome: 'reserved', reservationId: `res-${orderId}` };
}
