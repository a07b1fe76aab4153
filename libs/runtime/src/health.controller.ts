import { NatsClient } from '@flowscope/messaging';
import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';

/** Readiness: the service is connected to NATS. */
@Controller()
export class HealthController {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  @Get('health')
  health(): { status: 'ok'; nats: 'connected' } {
    if (!this.nats.connected) {
      throw new HttpException({ status: 'unavailable', nats: 'disconnected' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ok', nats: 'connected' };
  }
}
