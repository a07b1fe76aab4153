import { ContractError, ContractErrorCode, HttpErrorCode, validate } from '@flowscope/contracts';
import { BadRequestException, Body, ConflictException, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { OrderExistsError, PlaceOrder } from './place-order';
import { PlaceOrderRequestSchema, type PlaceOrderRequest } from './place-order.request';

/** `POST /orders`: parses the body, places the order, answers 201 (400 when invalid, 409 when taken). */
@Controller('orders')
export class PlaceOrderController {
  constructor(@Inject(PlaceOrder) private readonly placeOrder: PlaceOrder) {}

  @Post()
  @HttpCode(201)
  async place(@Body() body: unknown): Promise<{ orderId: string; status: 'placed'; style: string }> {
    try {
      const { orderId, style } = await this.placeOrder.execute(parse(body));
      return { orderId, status: 'placed', style };
    } catch (error) {
      if (!(error instanceof OrderExistsError)) throw error;
      throw new ConflictException({ error: HttpErrorCode.ORDER_EXISTS, message: error.message });
    }
  }
}

function parse(body: unknown): PlaceOrderRequest {
  try {
    return validate(PlaceOrderRequestSchema, body ?? {}, ContractErrorCode.INVALID_EVENT, 'order');
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    throw new BadRequestException({
      error: HttpErrorCode.INVALID_REQUEST,
      message: error.message,
      issues: error.issues,
    });
  }
}
