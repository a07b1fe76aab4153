import { Counter, Gauge, Histogram, Registry, register, type OpenMetricsContentType } from 'prom-client';

// Exemplars need the OpenMetrics exposition; set before any exemplar metric is created.
// (The default registry is typed for the Prometheus format only; it accepts either at run time.)
(register as unknown as Registry<OpenMetricsContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);

// Labels: definition, style, status, step, reason. Never an order id or a flow key.
export const trackerMetrics = {
  started: new Counter({
    name: 'flowscope_flows_started_total',
    help: 'Flow instances started',
    labelNames: ['definition', 'style'],
  }),
  ended: new Counter({
    name: 'flowscope_flows_ended_total',
    help: 'Flow instances that reached a terminal status',
    labelNames: ['definition', 'style', 'status'],
  }),
  recovered: new Counter({
    name: 'flowscope_flows_recovered_total',
    help: 'Stalled flows that later reached a terminal status',
    labelNames: ['definition', 'style', 'status'],
  }),
  // Its exemplar is the stalled flow's trace: from the stalling rate straight to where the flow stopped.
  stalledTotal: new Counter<string>({
    name: 'flowscope_flows_stalled_total',
    help: 'Flows that became stalled',
    labelNames: ['definition', 'style'],
    enableExemplars: true,
  }),
  duration: new Histogram<string>({
    name: 'flowscope_flow_duration_seconds',
    help: 'From the first event of a flow to its terminal one',
    labelNames: ['definition', 'style', 'status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    enableExemplars: true,
  }),
  stepDuration: new Histogram<string>({
    name: 'flowscope_flow_step_duration_seconds',
    help: 'From the first event of a flow to the event that decided each step',
    labelNames: ['definition', 'style', 'step'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    enableExemplars: true,
  }),
  events: new Counter({
    name: 'flowscope_tracker_events_total',
    help: 'Events applied to flows, by outcome (accepted, duplicate, out_of_order, late)',
    labelNames: ['definition', 'outcome'],
  }),
  rejected: new Counter({
    name: 'flowscope_tracker_rejected_total',
    help: 'Events refused and dead-lettered, by reason code',
    labelNames: ['reason'],
  }),
  inProgress: new Gauge({
    name: 'flowscope_flows_in_progress',
    help: 'Flows not yet terminal (running, compensating or stalled)',
    labelNames: ['definition', 'style'],
  }),
  stalled: new Gauge({
    name: 'flowscope_flows_stalled',
    help: 'Flows stalled right now',
    labelNames: ['definition', 'style'],
  }),
};
