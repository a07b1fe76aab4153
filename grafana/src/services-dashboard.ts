import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finish, flowscopeDashboard, withSections, type PanelBuilder } from './dashboard';
import { increase, quantile, rate, series } from './promql';
import { bars, labelVariable, timeSeries } from './panels';

const SERVICE = 'service=~"$service"';
/** Jaeger's span metrics name the service `service_name` (the OTel service.name). */
const SPAN_SERVICE = 'service_name=~"$service"';
const SERVICE_METRICS =
  '{__name__=~"flowscope_(messages_consumed|commands_handled|events_published|dead_letters)_total"}';
/**
 * Node.js processes only (Prometheus exposes process_* metrics too). The scrape configs put a
 * `service` label on every app target (deploy/prometheus.yml, deploy/launch/prometheus.ts).
 */
const NODE = 'and on (job, instance) nodejs_version_info';

const consumed = series('flowscope_messages_consumed_total', SERVICE);
const commands = series('flowscope_commands_handled_total', SERVICE);
const serverSpans = series(
  'traces_span_metrics_duration_milliseconds_bucket',
  SPAN_SERVICE,
  'span_kind="SPAN_KIND_SERVER"',
);

/** Services: messages, commands, dead letters and consumer lag per service and subject; runtime. */
export function servicesDashboard(): Dashboard {
  const dashboard = flowscopeDashboard(
    'flowscope-services',
    'Flowscope / Services',
    'Each service as a NATS participant: events consumed and published, commands answered, errors, handling time, dead letters and how far each durable consumer lags behind the stream.',
  ).withVariable(labelVariable('service', 'Service', SERVICE_METRICS));
  return finish(
    withSections(dashboard, [
      ['Events (JetStream durable consumers)', events()],
      ['Commands and requests', commandsAndRequests()],
      ['Dead letters', deadLetters()],
      ['Failure injection (failure flags)', failureInjection()],
      ['Runtime (Node.js processes)', runtime()],
    ]),
  );
}

function events(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Events consumed per second, by service and subject',
      description: 'Event messages each service handled, whatever the outcome.',
      unit: 'reqps',
      queries: [{ expr: `sum by (service, subject) (${rate(consumed)})`, legend: '{{service}} {{subject}}' }],
    }),
    timeSeries({
      title: 'Events consumed per second, by outcome',
      description:
        'ack (handled), duplicate (handled before), ignored (an orchestrated order: the saga drives it), held (acknowledged later: an order.placed whose saga is not stored yet), retry (the handler failed; redelivered with backoff), dead_letter (refused: copied to dlq.<service>).',
      unit: 'reqps',
      stacked: true,
      queries: [{ expr: `sum by (service, outcome) (${rate(consumed)})`, legend: '{{service}} {{outcome}}' }],
    }),
    timeSeries({
      title: 'Event handling errors per second, by service and subject',
      description:
        'Deliveries that failed: retried (the handler threw) or dead-lettered (invalid message, or out of retries).',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (service, subject, outcome) (${rate(series('flowscope_messages_consumed_total', SERVICE, 'outcome=~"retry|dead_letter"'))})`,
          legend: '{{service}} {{subject}} {{outcome}}',
        },
      ],
    }),
    timeSeries({
      title: 'Event handling time p95, by service and subject',
      description:
        'From delivery to ack of an event message (validation, idempotency check, handler, publishing what it caused).',
      unit: 's',
      queries: [
        {
          expr: quantile(0.95, rate(series('flowscope_message_handling_seconds_bucket', SERVICE)), 'service, subject'),
          legend: '{{service}} {{subject}}',
        },
      ],
    }),
    timeSeries({
      title: 'Events published per second, by service and subject',
      description: 'Domain events published and acknowledged by JetStream.',
      unit: 'reqps',
      width: 8,
      queries: [
        {
          expr: `sum by (service, subject) (${rate(series('flowscope_events_published_total', SERVICE))})`,
          legend: '{{service}} {{subject}}',
        },
      ],
    }),
    timeSeries({
      title: 'Consumer lag: not delivered yet',
      description:
        'Messages in the EVENTS stream each durable consumer has not delivered yet (num_pending, read every 5 s). Growing: the service cannot keep up, or is down.',
      unit: 'short',
      width: 8,
      queries: [
        {
          expr: `sum by (service, consumer) (${series('flowscope_consumer_pending_messages', SERVICE)})`,
          legend: '{{consumer}}',
        },
      ],
    }),
    timeSeries({
      title: 'Consumer lag: awaiting an ack',
      description:
        'Messages delivered to each durable consumer and not acknowledged yet (num_ack_pending): in a handler now, or waiting for a redelivery.',
      unit: 'short',
      width: 8,
      queries: [
        {
          expr: `sum by (service, consumer) (${series('flowscope_consumer_ack_pending_messages', SERVICE)})`,
          legend: '{{consumer}}',
        },
      ],
    }),
  ];
}

function commandsAndRequests(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Commands answered per second, by service and subject',
      description: 'Request/reply commands (cmd.*) the orchestrator sent and each service answered.',
      unit: 'reqps',
      queries: [{ expr: `sum by (service, subject) (${rate(commands)})`, legend: '{{service}} {{subject}}' }],
    }),
    timeSeries({
      title: 'Commands refused per second, by reply code',
      description:
        'Commands answered {ok:false}: a business refusal (PAYMENT_DECLINED, OUT_OF_STOCK, …) or an invalid command.',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (service, subject, outcome) (${rate(series('flowscope_commands_handled_total', SERVICE, 'outcome!="ok"'))})`,
          legend: '{{service}} {{subject}} {{outcome}}',
        },
      ],
    }),
    timeSeries({
      title: 'Requests per second (from traces), by service and operation',
      description: "SERVER spans (HTTP requests and commands answered) counted by Jaeger's span metrics.",
      unit: 'reqps',
      width: 8,
      queries: [
        {
          expr: `sum by (service_name, span_name) (${rate(series('traces_span_metrics_calls_total', SPAN_SERVICE, 'span_kind="SPAN_KIND_SERVER"'))})`,
          legend: '{{service_name}} {{span_name}}',
        },
      ],
    }),
    timeSeries({
      title: 'Request duration p95 (from traces), by service and operation',
      description: "Duration of SERVER spans (HTTP requests and commands answered), from Jaeger's span metrics.",
      unit: 'ms',
      width: 8,
      queries: [
        {
          expr: quantile(0.95, rate(serverSpans), 'service_name, span_name'),
          legend: '{{service_name}} {{span_name}}',
        },
      ],
    }),
    timeSeries({
      title: 'Spans with an error status per second (from traces)',
      description:
        "Spans that ended with status ERROR, by service and span name: refused commands seen by the orchestrator, handler failures, flows that did not complete (the tracker's flow span).",
      unit: 'reqps',
      width: 8,
      queries: [
        {
          expr: `sum by (service_name, span_name) (${rate(series('traces_span_metrics_calls_total', SPAN_SERVICE, 'status_code="STATUS_CODE_ERROR"'))})`,
          legend: '{{service_name}} {{span_name}}',
        },
      ],
    }),
  ];
}

function deadLetters(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Dead letters per second, by service, subject and code',
      description:
        "Messages refused and copied to dlq.<service> (stream DLQ) with the reason code: `nats sub 'dlq.>' --stream DLQ --all` shows them.",
      unit: 'reqps',
      width: 16,
      queries: [
        {
          expr: `sum by (service, subject, code) (${rate(series('flowscope_dead_letters_total', SERVICE))})`,
          legend: '{{service}} {{subject}} {{code}}',
        },
      ],
    }),
    bars({
      title: 'Dead letters in the time range, by service and code',
      description: 'How many messages each service dead-lettered in the time range, by reason code.',
      unit: 'short',
      width: 8,
      queries: [
        {
          expr: `sum by (service, code) (${increase(series('flowscope_dead_letters_total', SERVICE))})`,
          legend: '{{service}} {{code}}',
        },
      ],
    }),
  ];
}

function failureInjection(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Failures injected per second, by service and flag',
      description:
        'Decisions the failure flags turned into failures (declines, out of stock, failed shipments), delays added and events dropped. Set flags with `nats kv put flags <key> <value>`.',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (service, flag) (${rate(series('flowscope_failures_injected_total', SERVICE))})`,
          legend: '{{service}} {{flag}}',
        },
      ],
    }),
    timeSeries({
      title: 'Events dropped per second, by service and subject',
      description:
        'Domain events a <service>.dropRate flag kept from being published: each one leaves a flow that stalls (see the Business flows dashboard).',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (service, subject) (${rate(series('flowscope_events_dropped_total', SERVICE))})`,
          legend: '{{service}} {{subject}}',
        },
      ],
    }),
    bars({
      title: 'Rate flags in force',
      description:
        'Share of decisions each rate flag turns into a failure, as the services apply it now (0 when unset).',
      unit: 'percentunit',
      queries: [
        { expr: `max by (flag) (${series('flowscope_failure_flag', SERVICE, 'flag=~".+Rate"')})`, legend: '{{flag}}' },
      ],
    }),
    bars({
      title: 'Latency flags in force',
      description:
        'Milliseconds each service adds to every message or command it handles, as it applies it now (0 when unset).',
      unit: 'ms',
      queries: [
        {
          expr: `max by (flag) (${series('flowscope_failure_flag', SERVICE, 'flag=~".+latencyMs"')})`,
          legend: '{{flag}}',
        },
      ],
    }),
  ];
}

function runtime(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'CPU',
      description: "CPU time per second of each service's Node.js process (100% = one core).",
      unit: 'percentunit',
      width: 8,
      queries: [
        {
          expr: `sum by (service, instance) (${rate(series('process_cpu_seconds_total', SERVICE))} ${NODE})`,
          legend: '{{service}}',
        },
      ],
    }),
    timeSeries({
      title: 'Resident memory',
      description: "Resident set size of each service's Node.js process.",
      unit: 'bytes',
      width: 8,
      queries: [
        {
          expr: `sum by (service, instance) (${series('process_resident_memory_bytes', SERVICE)} ${NODE})`,
          legend: '{{service}}',
        },
      ],
    }),
    timeSeries({
      title: 'Event loop lag p99',
      description: 'How late timers fire in each Node.js process: above a few tens of ms the process is CPU-bound.',
      unit: 's',
      width: 8,
      queries: [
        {
          expr: `max by (service, instance) (${series('nodejs_eventloop_lag_p99_seconds', SERVICE)})`,
          legend: '{{service}}',
        },
      ],
    }),
  ];
}
