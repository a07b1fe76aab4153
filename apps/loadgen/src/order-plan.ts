import type { FlowStyle, OrderItem } from '@flowscope/contracts';
import { SCENARIOS, type Scenario } from './load-options';

/** One order the generator places: made-up ids and a country code, no personal data. */
export interface PlannedOrder {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  currency: string;
  destination: string;
  style: FlowStyle;
  scenario: Scenario;
}

/** A message that breaks the `order.placed` contract, for the consumers to dead-letter. */
export interface PoisonMessage {
  kind: 'not-json' | 'missing-fields' | 'wrong-types';
  msgId: string;
  body: string;
}

/**
 * Hands out scenarios in proportion to their weights, spread evenly (smooth weighted round-robin):
 * after any n orders each scenario's count is within one of its share, so a short run has the mix.
 */
export class ScenarioSpread {
  private readonly current = new Map<Scenario, number>();
  private readonly total: number;

  constructor(private readonly weights: Record<Scenario, number>) {
    this.total = SCENARIOS.reduce((sum, s) => sum + weights[s], 0);
  }

  next(): Scenario {
    let best: Scenario = SCENARIOS[0];
    for (const s of SCENARIOS) {
      this.current.set(s, (this.current.get(s) ?? 0) + this.weights[s]);
      if ((this.current.get(s) ?? 0) > (this.current.get(best) ?? 0)) best = s;
    }
    this.current.set(best, (this.current.get(best) ?? 0) - this.total);
    return best;
  }
}

/** The n-th order's style: orchestrated for an even spread of `share` of all orders. */
export function styleFor(n: number, share: number): FlowStyle {
  return Math.floor((n + 1) * share + 1e-9) > Math.floor(n * share + 1e-9) ? 'orchestration' : 'choreography';
}

/** The order that makes `scenario` happen through the deterministic rules (README "Asking for each outcome"). */
export function planOrder(idPrefix: string, n: number, scenario: Scenario, style: FlowStyle): PlannedOrder {
  const items: OrderItem[] = [{ sku: `LG-BOOK-${n % 20}`, qty: 1 + (n % 3), unitPrice: 12.5 }];
  if (scenario === 'out-of-stock') items.push({ sku: 'OOS-LG-LAMP', qty: 1, unitPrice: 30 });
  return {
    orderId: `${idPrefix}-${n}`,
    customerId: scenario === 'decline' ? `decline-lg-${n % 50}` : `lg-customer-${n % 50}`,
    items,
    currency: 'EUR',
    destination: scenario === 'shipping-failure' ? 'AQ' : 'DE',
    style,
    scenario,
  };
}

/** What a poison publication carries instead of the n-th order: each kind in turn. */
export function poisonFor(idPrefix: string, n: number): PoisonMessage {
  const orderId = `${idPrefix}-${n}-poison`;
  const kinds: PoisonMessage['kind'][] = ['not-json', 'missing-fields', 'wrong-types'];
  const kind = kinds[n % kinds.length];
  const body =
    kind === 'not-json'
      ? `{"orderId":"${orderId}","items":[`
      : kind === 'missing-fields'
        ? JSON.stringify({ orderId, customerId: 'lg-poison' })
        : JSON.stringify({ orderId, customerId: 'lg-poison', items: 'none', total: -1, currency: 'euros' });
  return { kind, msgId: orderId, body };
}

/** The order's total as the orders service computes it (cents). */
export function totalOf(items: OrderItem[]): number {
  return Math.round(items.reduce((sum, i) => sum + i.qty * i.unitPrice, 0) * 100) / 100;
}
