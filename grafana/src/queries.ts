// Every panel query of the committed dashboards, as Prometheus would receive it from Grafana: for
// tests that run them against a real Prometheus (syntax here, "returns series" in the e2e).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS_DIR } from './dashboards';

/** One target of one panel, with every variable replaced by a concrete value. */
export interface PanelQuery {
  /** Dashboard uid. */
  dashboard: string;
  /** Panel title (as in the JSON: a repeated panel keeps its `$variable`). */
  panel: string;
  refId: string;
  expr: string;
  /** Instant query (stat, bar gauge) rather than a range query (graph). */
  instant: boolean;
  /** The panel asks for exemplars with this query. */
  exemplar: boolean;
}

/** What Grafana's built-in variables stand for here: a 1 h time range, a 1 m rate interval. */
export const BUILT_IN_VALUES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
};

/** The dashboards as committed in grafana/dashboards (what Grafana loads). */
export function committedDashboards(): Dashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, name), 'utf8')) as Dashboard);
}

/** Every panel of a dashboard, rows' own panels included, rows themselves excluded. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel: Panel | RowPanel): Panel[] =>
    panel.type === 'row' ? ((panel as RowPanel).panels ?? []) : [panel as Panel],
  );
}

/**
 * Every panel target's PromQL with the variables replaced: built-ins by {@link BUILT_IN_VALUES},
 * dashboard variables by their All value (`.*`, so every label value matches). A `$name` that is
 * neither is an error: Grafana would send it as it is and Prometheus would refuse the query.
 */
export function panelQueries(dashboards: Dashboard[] = committedDashboards()): PanelQuery[] {
  return dashboards.flatMap((dashboard) => {
    const values = { ...BUILT_IN_VALUES, ...variableValues(dashboard.templating.list ?? []) };
    return panelsOf(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => {
        const t = target as { refId?: string; expr?: string; instant?: boolean; exemplar?: boolean };
        const where = `${dashboard.uid} / ${panel.title} / ${t.refId}`;
        return {
          dashboard: dashboard.uid ?? '',
          panel: panel.title ?? '',
          refId: t.refId ?? '',
          expr: substitute(t.expr ?? '', values, where),
          instant: t.instant === true,
          exemplar: t.exemplar === true,
        };
      }),
    );
  });
}

function variableValues(variables: VariableModel[]): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [v.name, v.allValue ?? '.*']));
}

/** Replaces `$name` and `${name}` (Grafana's two plain forms). */
export function substitute(expr: string, values: Record<string, string>, where = 'query'): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, plain?: string) => {
    const name = braced ?? plain ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`${where}: unknown variable ${whole} in ${expr}`);
    return value;
  });
}
