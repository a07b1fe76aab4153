// `npm run dashboards`: writes grafana/dashboards/<uid>.json from the code in grafana/src, and
// removes dashboard files no dashboard produces any more.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR, dashboards, fileOf, render } from './dashboards';

mkdirSync(DASHBOARDS_DIR, { recursive: true });
const written = new Set<string>();
for (const dashboard of dashboards()) {
  const file = fileOf(dashboard);
  writeFileSync(file, render(dashboard));
  written.add(file);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
for (const name of readdirSync(DASHBOARDS_DIR).filter((n) => n.endsWith('.json'))) {
  const file = path.join(DASHBOARDS_DIR, name);
  if (written.has(file)) continue;
  rmSync(file);
  console.log(`removed ${path.relative(process.cwd(), file)}`);
}
