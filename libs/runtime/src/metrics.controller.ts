import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
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
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    // Read per request: a service may switch the registry to OpenMetrics (for exemplars) at start.
    res.setHeader('Content-Type', register.contentType);
    return register.metrics();
  }
}
