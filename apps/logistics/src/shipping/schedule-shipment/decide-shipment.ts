/** Where an order ships when it names no destination. */
export const DEFAULT_DESTINATION = 'DE';
/** Destinations no carrier serves: lets a test or a user ask for a failed shipment. */
export const UNSHIPPABLE_DESTINATIONS: ReadonlySet<string> = new Set(['AQ']);

export type ShipmentDecision =
  { outcome: 'scheduled'; shipmentId: string; carrier: string } | { outcome: 'failed'; reason: string };

/**
 * Deterministic: the same order always gets the same decision, in both styles. `flaggedFailure` is
 * asked only when a carrier serves the destination: whether the failure flag fails the shipment.
 */
export function decideShipment(
  orderId: string,
  destination = DEFAULT_DESTINATION,
  flaggedFailure: () => boolean = () => false,
): ShipmentDecision {
  if (UNSHIPPABLE_DESTINATIONS.has(destination)) {
    return { outcome: 'failed', reason: `no carrier serves ${destination}` };
  }
  if (flaggedFailure())
    return {
      outcome: 'failed',
      reason: `no carrier available for ${destination} (failure flag logistics.failureRate)`,
    };
  return { outcome: 'scheduled', shipmentId: `shp-${orderId}`, carrier: 'flowpost' };
}
