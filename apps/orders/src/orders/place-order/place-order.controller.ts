import { ContractError, ORDER_PLACED, buildEvent, validate } from '@flowscope/contracts';
import { EventPublisher } from '@flowscope/messaging';
import { Body, ConflictException, Controller, HttpCode, Inject, Post, BadRequestException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ORDERS_CONFIG, type OrdersConfig } from '../../config';
import { OrderStore } from '../order-store';
import { PlaceOrderRequestSchema, orderTotal } from './place-order.request';

/**
 * `POST /orders`: validates, records and publishes `order.placed`. A choreographed order goes on by
 * events; an orchestrated one is picked up from that event by the saga (so `nats pub` works alike).
 */
@Controller('orders')
export class PlaceOrderController {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {}

  @Post()
  @HttpCode(201)
  async place(@Body() body: unknown): Promise<{ orderId: string; status: string; style: string }> {
    const request = parse(body);
    const orderId = request.orderId ?? randomUUID();
    if (await this.orders.get(orderId)) {
      throw new ConflictException({ error: 'ORDER_EXISTS', message: `order ${orderId} was placed already` });
    }
    const { customerId, items, currency, destination } = request;
    const style = request.style ?? this.config.ORDER_STYLE;
    const data = { orderId, customerId, items, total: orderTotal(items), currency, destination, style };
    const event = buildEvent(ORDER_PLACED, data, { source: 'orders' });
    // The event first: recorded without it (NATS failing in between), the order would stay placed
    // forever and a retry would be refused as a duplicate. Stored, it reaches our own consumer anyway.
    await this.events.publish(ORDER_PLACED, data, { id: event.id });
    await this.orders.apply(event);
    return { orderId, status: 'placed', style: data.style };
  }
}

function parse(body: unknown) {
  try {
    return validate(PlaceOrderRequestSchema, body ?? {}, 'INVALID_EVENT', 'order');
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new BadRequestException({ error: 'INVALID_REQUEST', message: error.message, issues: error.issues });
  }
}
