import { HttpErrorCode } from '@flowscope/contracts';
import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import type { OrderRecord } from '../order-record';
import { GetOrder } from './get-order';

/** `GET /orders/:id`: the order as the orders service knows it. */
@Controller('orders')
export class GetOrderController {
  constructor(@Inject(GetOrder) private readonly getOrder: GetOrder) {}

  @Get(':id')
  async get(@Param('id') orderId: string): Promise<OrderRecord> {
    const order = /^[A-Za-z0-9_-]{1,128}$/.test(orderId) ? await this.getOrder.execute(orderId) : undefined;
    if (!order) throw new NotFoundException({ error: HttpErrorCode.ORDER_NOT_FOUND, message: `no order ${orderId}` });
    return order;
  }
}
