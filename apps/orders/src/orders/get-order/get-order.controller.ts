import { HttpErrorCode } from '@flowscope/contracts';
import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import type { OrderRecord } from '../order-record';
import { OrderStore } from '../order-store';

/** `GET /orders/:id`: the order as the orders service knows it. */
@Controller('orders')
export class GetOrderController {
  constructor(@Inject(OrderStore) private readonly orders: OrderStore) {}

  @Get(':id')
  async get(@Param('id') orderId: string): Promise<OrderRecord> {
    const order = /^[A-Za-z0-9_-]{1,128}$/.test(orderId) ? await this.orders.get(orderId) : undefined;
    if (!order) throw new NotFoundException({ error: HttpErrorCode.ORDER_NOT_FOUND, message: `no order ${orderId}` });
    return order;
  }
}
