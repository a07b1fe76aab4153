import { buildEvent, EVENTS_STREAM, ORDER_PLACED } from '@flowscope/contracts';
import type { JetStreamClient } from 'nats';
import { totalOf, type PlannedOrder, type PoisonMessage } from './order-plan';

/** A placement that did not go through, with a short kind for the summary (`http 503`, `network`, …). */
export class PlacementError extends Error {
  override readonly name = 'PlacementError';
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const HTTP_TIMEOUT_MS = 10_000;

/** `POST /orders` with the order's own id, so the caller knows it; 201 or a PlacementError. */
export async function placeOverHttp(ordersUrl: string, order: PlannedOrder): Promise<void> {
  const { orderId, customerId, items, currency, destination, style } = order;
  let response: Response;
  try {
    response = await fetch(`${ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId, customerId, items, currency, destination, style }),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new PlacementError(
      timedOut ? 'timeout' : 'network',
      `POST ${ordersUrl}/orders: ${timedOut ? `no answer within ${HTTP_TIMEOUT_MS} ms` : (cause ?? (error as Error).message)}`,
    );
  }
  if (response.status === 201) {
    await response.body?.cancel();
    return;
  }
  const text = (await response.text().catch(() => '')).slice(0, 300);
  throw new PlacementError(`http ${response.status}`, `POST /orders answered ${response.status}: ${text}`);
}

/** `order.placed` as a CloudEvent on the EVENTS stream, as the orders service would publish it. */
export async function placeOverNats(js: JetStreamClient, order: PlannedOrder): Promise<void> {
  const { orderId, customerId, items, currency, destination, style } = order;
  const event = buildEvent(
    ORDER_PLACED,
    { orderId, customerId, items, total: totalOf(items), currency, destination, style },
    { source: 'loadgen' },
  );
  await publish(js, JSON.stringify(event), event.id);
}

/** A poison message on `order.placed`, always over NATS: the HTTP API refuses it at the door. */
export async function publishPoison(js: JetStreamClient, poison: PoisonMessage): Promise<void> {
  await publish(js, poison.body, poison.msgId);
}

async function publish(js: JetStreamClient, body: string, msgID: string): Promise<void> {
  try {
    await js.publish(ORDER_PLACED, body, { msgID, expect: { streamName: EVENTS_STREAM } });
  } catch (error) {
    throw new PlacementError('nats', `publish ${ORDER_PLACED}: ${(error as Error).message}`);
  }
}
