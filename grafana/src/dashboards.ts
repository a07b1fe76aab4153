import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { flowsDashboard } from './flows-dashboard';
import { servicesDashboard } from './services-dashboard';
import { stylesDashboard } from './styles-dashboard';

/** Every dashboard, in the order of the README. */
export function dashboards(): Dashboard[] {
  return [flowsDashboard(), stylesDashboard(), servicesDashboard()];
}

/** `grafana/dashboards`: the generated files, committed; compose mounts the folder for Grafana. */
export const DASHBOARDS_DIR = path.join(repoRoot(), 'grafana', 'dashboards');

/** The file a dashboard is written to: `<uid>.json`. */
export const fileOf = (dashboard: Dashboard): string => path.join(DASHBOARDS_DIR, `${dashboard.uid}.json`);

/** A dashboard as its file holds it: stable, two-space JSON with a final newline. */
export const render = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;

/** The nearest folder up with `nest-cli.json` (from grafana/src and from dist/grafana/src alike). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nest-cli.json'))) return dir;
  }
  throw new Error(`no nest-cli.json above ${__dirname}`);
}
