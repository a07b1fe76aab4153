// The Grafana files, checked offline (Grafana cannot run here): the committed dashboards are what the
// code generates, every file parses, every data source reference resolves to a provisioned uid, and
// every panel query names metrics and labels the code really exports.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, dashboards, fileOf, render } from '../../grafana/src/dashboards';
import { committedDashboards, panelQueries, panelsOf } from '../../grafana/src/queries';
import { knownMetrics, metricNamesIn, selectorsIn, groupingLabelsIn } from './known-metrics';

const PROVISIONING = path.resolve(__dirname, '..', '..', 'grafana', 'provisioning');

interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  url: string;
  jsonData?: {
    exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }>;
    tracesToMetrics?: { datasourceUid: string; queries: Array<{ name: string; query: string }> };
  };
}

const provisioningFile = (...parts: string[]): string => readFileSync(path.join(PROVISIONING, ...parts), 'utf8');
const datasources = (
  parse(provisioningFile('datasources', 'datasources.yaml')) as { datasources: ProvisionedDatasource[] }
).datasources;
const provisioned = new Map(datasources.map((ds) => [ds.uid, ds]));

/** Every `datasource` value anywhere in a JSON tree, with its path. */
function datasourceRefs(node: unknown, at = ''): Array<{ at: string; ref: unknown }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => datasourceRefs(item, `${at}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'datasource' ? [{ at: `${at}.${key}`, ref: value }] : datasourceRefs(value, `${at}.${key}`),
  );
}

/** A committed file's text, or '' when there is none. */
function committedText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('committed dashboards', () => {
  it('are exactly what grafana/src generates (else run `npm run dashboards` and commit grafana/dashboards)', () => {
    const generated = dashboards();
    const stale = generated
      .filter((d) => committedText(fileOf(d)) !== render(d))
      .map((d) => path.relative(process.cwd(), fileOf(d)));
    const expected = new Set(generated.map((d) => path.basename(fileOf(d))));
    const extra = readdirSync(DASHBOARDS_DIR).filter((name) => name.endsWith('.json') && !expected.has(name));
    if (stale.length > 0 || extra.length > 0) {
      throw new Error(
        `grafana/dashboards is stale (${[...stale, ...extra.map((n) => `${n} (no longer generated)`)].join(', ')}): run \`npm run dashboards\` and commit grafana/dashboards`,
      );
    }
  });

  it('are three, with fixed unique uids, and nothing else in the folder', () => {
    const uids = committedDashboards().map((d) => d.uid);
    expect(uids.sort()).toEqual(['flowscope-flows', 'flowscope-services', 'flowscope-styles']);
    expect(readdirSync(DASHBOARDS_DIR).sort()).toEqual(uids.map((uid) => `${uid}.json`));
  });

  it.each(committedDashboards().map((d) => [d.uid, d] as const))(
    '%s: panels have unique ids, fit the grid, and query Prometheus',
    (_uid, dashboard: Dashboard) => {
      const rows = (dashboard.panels ?? []).filter((p) => p.type === 'row');
      const ids = [...rows, ...panelsOf(dashboard)].map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
      expect(dashboard.id ?? null).toBeNull(); // provisioned files carry no database id
      for (const panel of panelsOf(dashboard)) {
        const where = `${dashboard.uid} / ${panel.title}`;
        const targets = (panel.targets ?? []) as Array<{ refId?: string; expr?: string }>;
        expect({ where, withExpr: targets.some((t) => (t.expr ?? '').trim() !== '') }).toEqual({
          where,
          withExpr: true,
        });
        expect({ where, refIds: new Set(targets.map((t) => t.refId)).size }).toEqual({ where, refIds: targets.length });
        expect({ where, description: (panel.description ?? '').length > 20 }).toEqual({ where, description: true });
        const { x, w } = panel.gridPos!;
        expect({ where, fits: x >= 0 && w > 0 && x + w <= 24 }).toEqual({ where, fits: true });
      }
    },
  );

  it('reference data sources by provisioned uid only, with the matching type', () => {
    const refs = committedDashboards().flatMap((d) => datasourceRefs(d, d.uid));
    expect(refs.length).toBeGreaterThan(50);
    const wrong = refs.filter(({ ref }) => {
      const { uid, type } = (ref ?? {}) as { uid?: string; type?: string };
      return typeof ref !== 'object' || !uid || provisioned.get(uid)?.type !== type;
    });
    expect(wrong).toEqual([]);
  });

  it('ask for exemplars on every flow and step duration panel', () => {
    const durationPanels = new Map<string, boolean>();
    for (const q of panelQueries()) {
      if (!/flowscope_flow(_step)?_duration_seconds_bucket/.test(q.expr) || q.instant) continue;
      const key = `${q.dashboard} / ${q.panel}`;
      durationPanels.set(key, (durationPanels.get(key) ?? false) || q.exemplar);
    }
    expect(durationPanels.size).toBeGreaterThanOrEqual(5);
    expect([...durationPanels].filter(([, exemplar]) => !exemplar)).toEqual([]);
  });
});

describe('panel queries', () => {
  const known = knownMetrics();
  const queries = panelQueries();

  it('have every variable replaced', () => {
    expect(queries.length).toBeGreaterThan(40);
    expect(queries.filter((q) => q.expr.includes('$'))).toEqual([]);
  });

  it("name only metrics the services, the tracker, Node.js or Jaeger's span metrics export", () => {
    const unknown = queries.flatMap((q) =>
      metricNamesIn(q.expr)
        .filter((m) => !known.has(m))
        .map((m) => `${q.dashboard} / ${q.panel}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('filter and group only by labels those metrics have', () => {
    const problems = queries.flatMap((q) => {
      const where = `${q.dashboard} / ${q.panel} / ${q.refId}`;
      const names = metricNamesIn(q.expr);
      const labelsOf = (m: string): Set<string> => known.get(m) ?? new Set();
      const anyLabel = new Set(names.flatMap((m) => [...labelsOf(m)]));
      const filters = selectorsIn(q.expr).flatMap(({ metric, labels }) =>
        labels.filter((l) => !labelsOf(metric).has(l)).map((l) => `${where}: ${metric} has no label ${l}`),
      );
      const groups = groupingLabelsIn(q.expr)
        .filter((l) => !anyLabel.has(l))
        .map((l) => `${where}: grouped by ${l}, which none of ${names.join(', ')} has`);
      return [...filters, ...groups];
    });
    expect(problems).toEqual([]);
  });

  it('variables list label values of metrics that have that label', () => {
    const problems = committedDashboards().flatMap((d) =>
      (d.templating.list ?? []).flatMap((v) => {
        const query = typeof v.query === 'string' ? v.query : JSON.stringify(v.query);
        const match = /^label_values\((.+), (\w+)\)$/.exec(query);
        if (!match) return [`${d.uid} / $${v.name}: not a label_values query: ${query}`];
        const [, selector, label] = match;
        const names = /^\{__name__=~"(.+)"\}$/.exec(selector);
        const metrics = names ? [...known.keys()].filter((m) => new RegExp(`^(?:${names[1]})$`).test(m)) : [selector];
        if (metrics.length === 0) return [`${d.uid} / $${v.name}: ${selector} matches no known metric`];
        return metrics
          .filter((m) => !known.get(m)?.has(label))
          .map((m) => `${d.uid} / $${v.name}: ${m} has no label ${label}`);
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('provisioning', () => {
  it('defines Prometheus and Jaeger with fixed, unique uids and the compose service urls', () => {
    expect(datasources.map(({ name, type, uid, url }) => ({ name, type, uid, url }))).toEqual([
      { name: 'Prometheus', type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' },
      { name: 'Jaeger', type: 'jaeger', uid: 'jaeger', url: 'http://jaeger:16686' },
    ]);
  });

  it('links exemplars (label trace_id) to Jaeger, and Jaeger spans to Prometheus span metrics', () => {
    const prometheus = provisioned.get('prometheus')!;
    expect(prometheus.jsonData?.exemplarTraceIdDestinations).toEqual([
      expect.objectContaining({ name: 'trace_id', datasourceUid: 'jaeger' }),
    ]);
    const toMetrics = provisioned.get('jaeger')!.jsonData?.tracesToMetrics;
    expect(provisioned.has(toMetrics!.datasourceUid)).toBe(true);
    expect(toMetrics!.queries.length).toBeGreaterThan(0);
    // As Grafana reads it: `$$` is a literal `$`.
    for (const { query } of toMetrics!.queries)
      expect(query.replace(/\$\$/g, '$')).toMatch(
        /traces_span_metrics_(calls_total|duration_milliseconds_bucket)\{\$__tags/,
      );
  });

  it('writes every literal $ as $$ (Grafana expands $NAME from the environment in these values)', () => {
    const strings = (node: unknown): string[] =>
      typeof node === 'string'
        ? [node]
        : node !== null && typeof node === 'object'
          ? Object.values(node).flatMap(strings)
          : [];
    const values = strings(datasources);
    expect(values.filter((v) => v.replace(/\$\$/g, '').includes('$'))).toEqual([]);
    expect(values.filter((v) => v.includes('$$__tags')).length).toBeGreaterThan(0);
  });

  it('loads the dashboards from where compose mounts grafana/dashboards', () => {
    const { apiVersion, providers } = parse(provisioningFile('dashboards', 'dashboards.yaml')) as {
      apiVersion: number;
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(apiVersion).toBe(1);
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }),
      }),
    ]);
  });
});
