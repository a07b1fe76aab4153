import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { finish, flowscopeDashboard, withSections, type PanelBuilder } from './dashboard';
import { flows, increase, quantile, rate } from './promql';
import { labelVariable, stats, timeSeries, type PanelSpec } from './panels';

/** One colour per style on every graph, so the two read alike across panels. */
function styleColours(panel: timeseries.PanelBuilder): timeseries.PanelBuilder {
  const fixed = (colour: string) => [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }];
  return panel
    .overrideByRegexp('.*choreography.*', fixed('blue'))
    .overrideByRegexp('.*orchestration.*', fixed('orange'));
}

const compared = (spec: PanelSpec): timeseries.PanelBuilder => styleColours(timeSeries(spec));

const durationBuckets = rate(flows('flowscope_flow_duration_seconds_bucket'));
const rangeBuckets = increase(flows('flowscope_flow_duration_seconds_bucket'));

/** Choreography vs orchestration: the same KPIs, one column per style, then both on one graph. */
export function stylesDashboard(): Dashboard {
  const dashboard = flowscopeDashboard(
    'flowscope-styles',
    'Flowscope / Choreography vs orchestration',
    'The same order flow run in both styles: the same KPIs in one column per style (the Style variable picks the columns), then both styles on one graph.',
  )
    .withVariable(labelVariable('definition', 'Flow', 'flowscope_flows_started_total'))
    .withVariable(labelVariable('style', 'Style', 'flowscope_flows_started_total'));
  return finish(
    withSections(dashboard, [
      ['One column per style', columnPerStyle()],
      ['Both styles over time', bothOverTime()],
    ]),
  );
}

function columnPerStyle(): PanelBuilder[] {
  return [
    stats({
      title: 'Flows in the time range: $style',
      description:
        'Started, and how the flows that ended in the time range ended; stalled counts flows that became stalled.',
      unit: 'short',
      width: 24,
      repeatFor: 'style',
      queries: [
        { expr: `sum(${increase(flows('flowscope_flows_started_total'))})`, legend: 'started' },
        { expr: `sum(${increase(flows('flowscope_flows_ended_total', 'status="completed"'))})`, legend: 'completed' },
        { expr: `sum(${increase(flows('flowscope_flows_ended_total', 'status="failed"'))})`, legend: 'failed' },
        {
          expr: `sum(${increase(flows('flowscope_flows_ended_total', 'status="compensated"'))})`,
          legend: 'compensated',
        },
        { expr: `sum(${increase(flows('flowscope_flows_stalled_total'))})`, legend: 'stalled' },
      ],
    }),
    stats({
      title: 'Health: $style',
      description:
        'Completion ratio of the flows that ended in the time range; flows in progress and stalled right now.',
      unit: 'short',
      width: 24,
      repeatFor: 'style',
      queries: [
        {
          expr: `sum(${increase(flows('flowscope_flows_ended_total', 'status="completed"'))}) / sum(${increase(flows('flowscope_flows_ended_total'))})`,
          legend: 'completion ratio',
        },
        { expr: `sum(${flows('flowscope_flows_in_progress')})`, legend: 'in progress' },
        { expr: `sum(${flows('flowscope_flows_stalled')})`, legend: 'stalled now' },
      ],
    }).overrideByQuery('A', [{ id: 'unit', value: 'percentunit' }]),
    stats({
      title: 'Flow duration in the time range: $style',
      description:
        'Quantiles of the duration of the flows that ended in the time range, first event to terminal event.',
      unit: 's',
      width: 24,
      repeatFor: 'style',
      queries: [
        { expr: quantile(0.5, rangeBuckets, 'style'), legend: 'p50' },
        { expr: quantile(0.95, rangeBuckets, 'style'), legend: 'p95' },
        { expr: quantile(0.99, rangeBuckets, 'style'), legend: 'p99' },
      ],
    }),
  ];
}

function bothOverTime(): PanelBuilder[] {
  return [
    compared({
      title: 'Started per second',
      description: 'Flows started, per style.',
      unit: 'reqps',
      queries: [{ expr: `sum by (style) (${rate(flows('flowscope_flows_started_total'))})`, legend: '{{style}}' }],
    }),
    compared({
      title: 'Completion ratio',
      description: 'Completed over ended flows, per style.',
      unit: 'percentunit',
      queries: [
        {
          expr: `sum by (style) (${rate(flows('flowscope_flows_ended_total', 'status="completed"'))}) / sum by (style) (${rate(flows('flowscope_flows_ended_total'))})`,
          legend: '{{style}}',
        },
      ],
    }),
    compared({
      title: 'Failed and compensated per second',
      description:
        'Flows that ended badly, per style and status: failed (nothing to undo) or compensated (done steps undone).',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (style, status) (${rate(flows('flowscope_flows_ended_total', 'status=~"failed|compensated"'))})`,
          legend: '{{style}} {{status}}',
        },
      ],
    }),
    compared({
      title: 'In progress and stalled now',
      description: 'Flows not terminal yet, and of those the stalled ones, per style.',
      unit: 'short',
      queries: [
        { expr: `sum by (style) (${flows('flowscope_flows_in_progress')})`, legend: '{{style}} in progress' },
        { expr: `sum by (style) (${flows('flowscope_flows_stalled')})`, legend: '{{style}} stalled' },
      ],
    }),
    compared({
      title: 'Flow duration p95',
      description: 'p95 flow duration per style. Exemplars (dots) open the trace of a flow in Jaeger.',
      unit: 's',
      queries: [{ expr: quantile(0.95, durationBuckets, 'style'), legend: '{{style}}', exemplar: true }],
    }),
    compared({
      title: 'Time to each step, p95',
      description:
        'From the first event to the event that decided each step, per style and step: where one style spends its time. Exemplars open a trace.',
      unit: 's',
      queries: [
        {
          expr: quantile(0.95, rate(flows('flowscope_flow_step_duration_seconds_bucket')), 'style, step'),
          legend: '{{style}} {{step}}',
          exemplar: true,
        },
      ],
    }),
  ];
}
