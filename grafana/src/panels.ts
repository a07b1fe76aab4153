// Small builders over the foundation SDK: every panel queries Prometheus by uid, has a description
// and a unit, and sizes itself on the 24-column grid.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasources';

/** One PromQL query of a panel. */
export interface Query {
  expr: string;
  /** Series name, with `{{label}}` placeholders. */
  legend: string;
  /** Also fetch exemplars (the trace ids on the duration histograms). */
  exemplar?: boolean;
}

/** What every panel states. */
export interface PanelSpec {
  title: string;
  /** Shown on hover: what the panel counts and how to read it. */
  description: string;
  unit: string;
  queries: Query[];
  /** Grid columns out of 24 (default 12). */
  width?: number;
  /** Grid rows (default 8). */
  height?: number;
  /** Links in the panel's header menu. */
  links?: Array<{ title: string; url: string }>;
  /** Repeat the panel once per value of this variable, side by side. */
  repeatFor?: string;
}

type Panel = timeseries.PanelBuilder | stat.PanelBuilder | bargauge.PanelBuilder;

function target(query: Query, index: number, instant: boolean): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend);
  if (query.exemplar) builder.exemplar(true);
  return instant ? builder.instant() : builder.range();
}

function withBasics<P extends Panel>(panel: P, spec: PanelSpec, instant: boolean): P {
  panel
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .targets(spec.queries.map((q, i) => target(q, i, instant)));
  if (spec.links) {
    panel.links(
      spec.links.map((link) => new dashboard.DashboardLinkBuilder(link.title).url(link.url).targetBlank(true)),
    );
  }
  if (spec.repeatFor) panel.repeat(spec.repeatFor).repeatDirection('h').maxPerRow(4);
  return panel;
}

/** A graph over time (range queries). */
export function timeSeries(spec: PanelSpec & { stacked?: boolean }): timeseries.PanelBuilder {
  const panel = withBasics(new timeseries.PanelBuilder(), spec, false)
    .lineWidth(1)
    .fillOpacity(spec.stacked ? 30 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending),
    );
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return panel;
}

/** Big numbers, one per series, as of the end of the time range (instant queries). */
export function stats(spec: PanelSpec & { redAbove?: number }): stat.PanelBuilder {
  const steps: dashboard.Threshold[] = [{ value: null, color: 'green' }];
  if (spec.redAbove !== undefined) steps.push({ value: spec.redAbove, color: 'red' });
  return withBasics(new stat.PanelBuilder(), { height: 5, ...spec }, true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .textMode(common.BigValueTextMode.ValueAndName)
    .colorMode(spec.redAbove === undefined ? common.BigValueColorMode.None : common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps));
}

/** Horizontal bars, one per series, as of the end of the time range (instant queries). */
export function bars(spec: PanelSpec): bargauge.PanelBuilder {
  return withBasics(new bargauge.PanelBuilder(), spec, true)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .showUnfilled(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * A dashboard variable over a label's values, All by default. All stands for `.*`, so every query
 * filters with `label=~"$name"` and All also matches series that appear after the page loaded.
 */
export function labelVariable(name: string, label: string, selector: string): dashboard.QueryVariableBuilder {
  const query = `label_values(${selector}, ${name})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}
