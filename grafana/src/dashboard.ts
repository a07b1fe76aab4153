import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** Tag of every Flowscope dashboard; their header links list the others by it. */
export const TAG = 'flowscope';

/** A dashboard with the house settings: last hour, 10 s refresh, shared crosshair, links to the others. */
export function flowscopeDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .readonly() // provisioned from generated files: change grafana/src, not the UI
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('10s')
    .annotations([]) // Grafana adds its built-in annotations to an empty list
    .link(
      new dashboard.DashboardLinkBuilder('Flowscope')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(false)
        .includeVars(false)
        .keepTime(true),
    );
}

/** Any panel builder. */
export type PanelBuilder = cog.Builder<dashboard.Panel>;

/** A row title and the panels under it, left to right, top to bottom. */
export type Section = [title: string, panels: PanelBuilder[]];

/** Lays the sections out: each row title full width, then its panels. */
export function withSections(builder: dashboard.DashboardBuilder, sections: Section[]): dashboard.DashboardBuilder {
  for (const [title, panels] of sections) {
    builder.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  return builder;
}

/**
 * Builds the dashboard and numbers its panels 1, 2, 3… in order (the SDK leaves ids unset, or 0 on
 * rows; Grafana needs them unique for links and repeats). Links lose the SDK's default placement
 * (the controls menu): they show in the dashboard's header and the panel's link menu.
 */
export function finish(builder: dashboard.DashboardBuilder): dashboard.Dashboard {
  const built = builder.build();
  let id = 0;
  const number = (panel: dashboard.Panel | dashboard.RowPanel): void => {
    panel.id = ++id;
    if ('links' in panel) for (const link of panel.links ?? []) delete link.placement;
  };
  for (const panel of built.panels ?? []) {
    number(panel);
    if ('panels' in panel) panel.panels.forEach(number);
  }
  for (const link of built.links ?? []) delete link.placement;
  return built;
}
