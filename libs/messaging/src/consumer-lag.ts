import { Logger } from '@nestjs/common';
import type { JetStreamManager } from 'nats';
import { Gauge, register } from 'prom-client';

// Labels: service and the durable consumer's name (one per service and subject): low cardinality.
function gauge(name: string, help: string): Gauge {
  return (
    (register.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, labelNames: ['service', 'consumer'] })
  );
}

export const consumerLagMetrics = {
  pending: gauge(
    'flowscope_consumer_pending_messages',
    'Messages in the stream the durable consumer has not delivered yet (num_pending)',
  ),
  ackPending: gauge(
    'flowscope_consumer_ack_pending_messages',
    'Messages delivered to the durable consumer and not acknowledged yet (num_ack_pending)',
  ),
};

/** What {@link ConsumerLagPoller} reads. */
export interface ConsumerLagOptions {
  jsm: JetStreamManager;
  /** The `service` label. */
  service: string;
  stream: string;
  /** Durable consumer names on `stream`; each one is the `consumer` label. */
  consumers: string[];
  /** How often consumer info is read (default 5 s). */
  intervalMs?: number;
}

/**
 * Reads each durable consumer's info every few seconds into the consumer lag gauges. The timer is
 * unref'd (it never keeps a process alive); a failed read is logged and the gauge keeps its last value.
 */
export class ConsumerLagPoller {
  private readonly logger = new Logger('ConsumerLag');
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(private readonly options: ConsumerLagOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 5000);
    this.timer.unref();
    this.tick();
  }

  /** Stops polling, waits for a read in flight and removes this poller's series. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    for (const consumer of this.options.consumers) {
      const labels = { service: this.options.service, consumer };
      consumerLagMetrics.pending.remove(labels);
      consumerLagMetrics.ackPending.remove(labels);
    }
  }

  /** Reads every consumer once; never throws. */
  async poll(): Promise<void> {
    const { jsm, service, stream, consumers } = this.options;
    for (const consumer of consumers) {
      try {
        const info = await jsm.consumers.info(stream, consumer);
        consumerLagMetrics.pending.set({ service, consumer }, info.num_pending);
        consumerLagMetrics.ackPending.set({ service, consumer }, info.num_ack_pending);
      } catch (error) {
        this.logger.warn(
          `cannot read consumer ${stream}/${consumer}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  private tick(): void {
    if (this.polling) return; // a slow server: never pile reads up
    this.polling = this.poll().finally(() => (this.polling = undefined));
  }
}
