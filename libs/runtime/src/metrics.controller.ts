import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

let defaultsCollected = false;

/** Prometheus scrape endpoint for everything registered in prom-client's default registry. */
@Controller()
export class MetricsController {
  constructor() {
    if (!defaultsCollected) collectDefaultMetrics();
    defaultsCollected = true;
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
