import { Logger, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { Counter, register } from 'prom-client';
import { FailureFlags, type FlaggedService, type FlagLog, type RateFlag } from './flags';
import { NatsClient } from '@flowscope/messaging';

// Labels stay low-cardinality (service, flag, subject): never an order id.
function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

export const failureMetrics = {
  injected: counter(
    'flowscope_failures_injected_total',
    'Failures the failure flags caused: declines, out of stock, failed shipments, delays, dropped events',
    ['service', 'flag'],
  ),
  dropped: counter(
    'flowscope_events_dropped_total',
    'Domain events a <service>.dropRate flag kept from being published',
    ['service', 'subject'],
  ),
};

/**
 * The failure flags as one service applies them in its use cases, alike for the choreography's
 * events and the saga's commands: its latency, its drop rate, and the rate flags of its decisions.
 */
export class FailureInjector implements OnModuleDestroy {
  private readonly stopping = new AbortController();

  constructor(
    private readonly flags: FailureFlags,
    readonly service: FlaggedService,
    private readonly logger: FlagLog = new Logger('FailureFlags'),
  ) {}

  /** Waits `<service>.latencyMs` (not at all when unset); cut short when the service stops. */
  async delay(): Promise<void> {
    const flag = `${this.service}.latencyMs` as const;
    const ms = this.flags.value(flag);
    if (ms <= 0) return;
    failureMetrics.injected.inc({ service: this.service, flag });
    await delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Whether the rate flag fails this order's decision (counted when it does). */
  fails(flag: RateFlag, orderId: string): boolean {
    const fails = this.flags.rolls(flag, orderId);
    if (fails) failureMetrics.injected.inc({ service: this.service, flag });
    return fails;
  }

  /**
   * Whether `<service>.dropRate` keeps this event from being published. The caller has done its work
   * and acks as usual; the drop is logged at warn and counted, so it is never a silent one.
   */
  drops(eventType: string, orderId: string): boolean {
    const flag = `${this.service}.dropRate` as const;
    if (!this.flags.rolls(flag, `${orderId}/${eventType}`)) return false;
    failureMetrics.injected.inc({ service: this.service, flag });
    failureMetrics.dropped.inc({ service: this.service, subject: eventType });
    this.logger.warn(`dropped ${eventType} of order ${orderId}: failure flag ${flag}`);
    return true;
  }

  onModuleDestroy(): void {
    this.stopping.abort();
  }
}

/** Gives a service its `FailureInjector`, fed by a watch on the KV bucket `flags`. */
@Module({})
export class FailureFlagsModule {
  static forService(service: FlaggedService): DynamicModule {
    return {
      module: FailureFlagsModule,
      providers: [
        { provide: FailureFlags, useFactory: (nats: NatsClient) => FailureFlags.watch(nats.js), inject: [NatsClient] },
        {
          provide: FailureInjector,
          useFactory: (flags: FailureFlags) => new FailureInjector(flags, service),
          inject: [FailureFlags],
        },
      ],
      exports: [FailureFlags, FailureInjector],
    };
  }
}
