import { Counter, Histogram, register } from 'prom-client';

// Labels stay low-cardinality (service, subject, outcome, code): never an order or event id.
function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

export const messagingMetrics = {
  consumed: counter(
    'flowscope_messages_consumed_total',
    'Event messages handled, by outcome (ack, retry, dead_letter, duplicate)',
    ['service', 'subject', 'outcome'],
  ),
  published: counter('flowscope_events_published_total', 'Domain events published and acknowledged by JetStream', [
    'service',
    'subject',
  ]),
  commands: counter('flowscope_commands_handled_total', 'Commands answered, by outcome (ok or the reply code)', [
    'service',
    'subject',
    'outcome',
  ]),
  deadLetters: counter('flowscope_dead_letters_total', 'Messages refused and copied to dlq.<service>, by reason code', [
    'service',
    'subject',
    'code',
  ]),
  handling:
    (register.getSingleMetric('flowscope_message_handling_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'flowscope_message_handling_seconds',
      help: 'Time from delivery to ack of an event message',
      labelNames: ['service', 'subject'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
};
