import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finish, flowscopeDashboard, withSections, type PanelBuilder } from './dashboard';
import { flows, increase, quantile, rate } from './promql';
import { bars, labelVariable, stats, timeSeries } from './panels';

const endedPerSecond = (status: string): string =>
  `sum by (style) (${rate(flows('flowscope_flows_ended_total', `status="${status}"`))})`;

const TRACKER_STALLED = 'http://localhost:3006/flows?status=stalled&limit=20';

const durationBuckets = rate(flows('flowscope_flow_duration_seconds_bucket'));
const stepBuckets = rate(flows('flowscope_flow_step_duration_seconds_bucket'));

/** Business flows: what the process tracker reconstructs, by style. */
export function flowsDashboard(): Dashboard {
  const dashboard = flowscopeDashboard(
    'flowscope-flows',
    'Flowscope / Business flows',
    'Order fulfilment as the process tracker rebuilds it from the domain events: how many flows start and how they end, how long they take, where they stop. Exemplars on the duration panels open the trace of a flow in Jaeger.',
  )
    .withVariable(labelVariable('definition', 'Flow', 'flowscope_flows_started_total'))
    .withVariable(labelVariable('style', 'Style', 'flowscope_flows_started_total'));
  return finish(
    withSections(dashboard, [
      ['Right now', rightNow()],
      ['Rates', rates()],
      ['Durations', durations()],
      ['Process tracker', tracker()],
    ]),
  );
}

function rightNow(): PanelBuilder[] {
  return [
    stats({
      title: 'Flows in progress',
      description:
        'Flows not terminal yet (running, compensating or stalled), per style, as the tracker last counted them.',
      unit: 'short',
      width: 6,
      queries: [{ expr: `sum by (style) (${flows('flowscope_flows_in_progress')})`, legend: '{{style}}' }],
    }),
    stats({
      title: 'Stalled now',
      description:
        'Flows past their SLA (timeoutMs) without reaching a terminal status. A gauge has no exemplars: the "Stalling per second" panel has them, and the panel link lists the stalled flows with their trace ids.',
      unit: 'short',
      width: 6,
      redAbove: 1,
      links: [{ title: 'Stalled flows (process tracker API)', url: TRACKER_STALLED }],
      queries: [{ expr: `sum by (style) (${flows('flowscope_flows_stalled')})`, legend: '{{style}}' }],
    }),
    stats({
      title: 'Completion ratio (time range)',
      description: 'Of the flows that ended in the time range, the share that completed, per style.',
      unit: 'percentunit',
      width: 6,
      queries: [
        {
          expr: `sum by (style) (${increase(flows('flowscope_flows_ended_total', 'status="completed"'))}) / sum by (style) (${increase(flows('flowscope_flows_ended_total'))})`,
          legend: '{{style}}',
        },
      ],
    }),
    stats({
      title: 'Flows ended (time range)',
      description: 'Flows that reached a terminal status in the time range, per style and status.',
      unit: 'short',
      width: 6,
      queries: [
        {
          expr: `sum by (style, status) (${increase(flows('flowscope_flows_ended_total'))})`,
          legend: '{{style}} {{status}}',
        },
      ],
    }),
  ];
}

function rates(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Started per second',
      description: 'Flows the tracker saw a first event of, per style.',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: `sum by (style) (${rate(flows('flowscope_flows_started_total'))})`, legend: '{{style}}' }],
    }),
    timeSeries({
      title: 'Completed per second',
      description: 'Flows that completed: every required step done, none failed.',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: endedPerSecond('completed'), legend: '{{style}}' }],
    }),
    timeSeries({
      title: 'Completion ratio',
      description:
        'Completed flows over all flows that ended, per style (a flow counts when it ends, not when it starts).',
      unit: 'percentunit',
      width: 8,
      queries: [
        {
          expr: `sum by (style) (${rate(flows('flowscope_flows_ended_total', 'status="completed"'))}) / sum by (style) (${rate(flows('flowscope_flows_ended_total'))})`,
          legend: '{{style}}',
        },
      ],
    }),
    timeSeries({
      title: 'Failed per second',
      description: 'Flows that failed with nothing to undo (e.g. payment declined).',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: endedPerSecond('failed'), legend: '{{style}}' }],
    }),
    timeSeries({
      title: 'Compensated per second',
      description:
        'Flows where a step failed and every done step was compensated (out of stock: payment refunded; shipment failed: stock released and payment refunded).',
      unit: 'reqps',
      width: 8,
      queries: [{ expr: endedPerSecond('compensated'), legend: '{{style}}' }],
    }),
    timeSeries({
      title: 'Stalling per second',
      description:
        'Flows that became stalled: their SLA passed with no terminal status (an event was lost or a service is down). The dots are exemplars: hover one and choose "Trace in Jaeger" to open a stalled flow\'s trace; the panel link lists every stalled flow.',
      unit: 'reqps',
      width: 8,
      links: [{ title: 'Stalled flows (process tracker API)', url: TRACKER_STALLED }],
      queries: [
        {
          expr: `sum by (style) (${rate(flows('flowscope_flows_stalled_total'))})`,
          legend: '{{style}}',
          exemplar: true,
        },
      ],
    }),
  ];
}

function durations(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Flow duration p50 / p95 / p99',
      description:
        'From the first event of a flow to its terminal one, per style, whatever the outcome. The dots are exemplars: hover one and choose "Trace in Jaeger" to open that flow\'s trace.',
      unit: 's',
      queries: [
        { expr: quantile(0.5, durationBuckets, 'style'), legend: 'p50 {{style}}' },
        { expr: quantile(0.95, durationBuckets, 'style'), legend: 'p95 {{style}}', exemplar: true },
        { expr: quantile(0.99, durationBuckets, 'style'), legend: 'p99 {{style}}' },
      ],
    }),
    timeSeries({
      title: 'Flow duration p95, by outcome',
      description:
        'p95 duration per style and terminal status: failed and compensated flows are the slow ones to look at. Exemplars lead to the trace of such a flow.',
      unit: 's',
      queries: [
        { expr: quantile(0.95, durationBuckets, 'style, status'), legend: '{{style}} {{status}}', exemplar: true },
      ],
    }),
    timeSeries({
      title: 'Time to each step, p95',
      description:
        'From the first event of a flow to the event that decided each step (done, failed or compensated), per style and step. Observed when the flow ends. Exemplars lead to a trace.',
      unit: 's',
      queries: [{ expr: quantile(0.95, stepBuckets, 'style, step'), legend: '{{style}} {{step}}', exemplar: true }],
    }),
    bars({
      title: 'Funnel: flows that reached each step (time range)',
      description:
        'How many flows decided each step (done, failed or compensated) in the time range, per style, most first: the drop between two steps is where flows stop. Counted when a flow ends, so flows still running or stalled are not in it yet.',
      unit: 'short',
      queries: [
        {
          expr: `sort_desc(sum by (style, step) (${increase(flows('flowscope_flow_step_duration_seconds_count'))}))`,
          legend: '{{style}} {{step}}',
        },
      ],
    }),
  ];
}

function tracker(): PanelBuilder[] {
  return [
    timeSeries({
      title: 'Events applied per second, by outcome',
      description:
        'Events the tracker applied to flows: accepted, duplicate (same event id again), out_of_order, late (after the flow ended).',
      unit: 'reqps',
      width: 16,
      queries: [
        {
          expr: 'sum by (outcome) (rate(flowscope_tracker_events_total{definition=~"$definition"}[$__rate_interval]))',
          legend: '{{outcome}}',
        },
      ],
    }),
    stats({
      title: 'Events refused (time range)',
      description:
        'Events the tracker could not use (not JSON, unknown type, no correlation value, invalid data), dead-lettered to dlq.process-tracker. See the Services dashboard for the reasons.',
      unit: 'short',
      width: 8,
      height: 8,
      redAbove: 1,
      queries: [{ expr: 'sum(increase(flowscope_tracker_rejected_total[$__range])) or vector(0)', legend: 'refused' }],
    }),
  ];
}
