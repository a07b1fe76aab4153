// The orders a benchmark places: each scenario made to happen through the deterministic rules of
// README "Asking for each outcome", in either style, with made-up ids (no personal data).

/** How an order is made to end. */
export const SCENARIOS = ['happy', 'decline', 'out-of-stock', 'shipping-failure'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type Style = 'choreography' | 'orchestration';

/** The body of `POST /orders` for the n-th order of a run. */
export interface OrderRequest {
  orderId: string;
  customerId: string;
  items: { sku: string; qty: number; unitPrice: number }[];
  destination: string;
  style: Style;
}

export function orderRequest(orderId: string, n: number, scenario: Scenario, style: Style): OrderRequest {
  const items = [{ sku: `BENCH-BOOK-${n % 20}`, qty: 1 + (n % 3), unitPrice: 12.5 }];
  if (scenario === 'out-of-stock') items.push({ sku: 'OOS-BENCH-LAMP', qty: 1, unitPrice: 30 });
  return {
    orderId,
    customerId: scenario === 'decline' ? `decline-bench-${n % 50}` : `bench-customer-${n % 50}`,
    items,
    destination: scenario === 'shipping-failure' ? 'AQ' : 'DE',
    style,
  };
}

/** The terminal event each scenario ends with (a check that the system did what was asked). */
export const EXPECTED_END: Record<Scenario, 'order.completed' | 'order.cancelled'> = {
  happy: 'order.completed',
  decline: 'order.cancelled',
  'out-of-stock': 'order.cancelled',
  'shipping-failure': 'order.cancelled',
};

/**
 * Hands out scenarios in proportion to their weights, evenly spread (smooth weighted round-robin),
 * so any stretch of a run, however short, has the mix.
 */
export class ScenarioMix {
  private readonly credit = new Map<Scenario, number>();
  private readonly total: number;

  constructor(readonly weights: Partial<Record<Scenario, number>>) {
    this.total = SCENARIOS.reduce((sum, s) => sum + (weights[s] ?? 0), 0);
    if (this.total <= 0) throw new Error('a scenario mix needs a weight above 0');
  }

  next(): Scenario {
    let best: Scenario | undefined;
    for (const s of SCENARIOS) {
      const credit = (this.credit.get(s) ?? 0) + (this.weights[s] ?? 0);
      this.credit.set(s, credit);
      if ((this.weights[s] ?? 0) > 0 && (best === undefined || credit > (this.credit.get(best) ?? 0))) best = s;
    }
    this.credit.set(best!, (this.credit.get(best!) ?? 0) - this.total);
    return best!;
  }

  /** "70% happy, 10% decline, …" */
  describe(): string {
    return SCENARIOS.filter((s) => (this.weights[s] ?? 0) > 0)
      .map((s) => `${Math.round(((this.weights[s] ?? 0) / this.total) * 100)}% ${s}`)
      .join(', ');
  }
}
