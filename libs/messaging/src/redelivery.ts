/** How a failing handler is retried before its message is dead-lettered. */
export interface RedeliveryPolicy {
  /** Deliveries in all, the first included. */
  maxDeliver: number;
  /** Delay before the n-th redelivery (n from 1). */
  backoffMs(redelivery: number): number;
}

/** 250 ms, 500 ms, 1 s, 2 s ... capped at 10 s; 8 deliveries take about 30 s before the DLQ. */
export const defaultRedeliveryPolicy: RedeliveryPolicy = {
  maxDeliver: 8,
  backoffMs: (redelivery) => Math.min(10_000, 250 * 2 ** Math.max(0, redelivery - 1)),
};

/** A handler's way to say "not yet": the message is redelivered with backoff, not dead-lettered at once. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
