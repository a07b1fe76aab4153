// Every panel query of the committed dashboards, and every variable's series selector, is sent to a
// real Prometheus (empty TSDB): Prometheus must accept each one. A syntax and semantics check
// (unknown functions, bad matchers, type errors); the e2e checks that they return series.
import { httpJson } from '../../deploy/launch/probe';
import { startPrometheus, type PrometheusHandle } from '../../deploy/launch/prometheus';
import { committedDashboards, panelQueries } from '../../grafana/src/queries';

jest.setTimeout(60_000);

let prometheus: PrometheusHandle;

beforeAll(async () => {
  prometheus = await startPrometheus({ targets: [] });
});

afterAll(async () => {
  await prometheus?.stop();
});

/** Prometheus' answer to a GET on its API: undefined when it says success, else what it said. */
async function refusal(pathAndQuery: string): Promise<string | undefined> {
  const res = await httpJson<{ status?: string; error?: string }>(`${prometheus.url}${pathAndQuery}`);
  return res.status === 200 && res.body.status === 'success'
    ? undefined
    : `${res.status} ${res.body.error ?? JSON.stringify(res.body)}`;
}

describe('panel queries against a real Prometheus', () => {
  it('every panel query is accepted, as an instant and as a range query', async () => {
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(40);
    const now = Math.floor(Date.now() / 1000);
    const refused: string[] = [];
    for (const q of queries) {
      const expr = encodeURIComponent(q.expr);
      const instant = await refusal(`/api/v1/query?query=${expr}`);
      const range = q.instant
        ? undefined
        : await refusal(`/api/v1/query_range?query=${expr}&start=${now - 3600}&end=${now}&step=60`);
      for (const error of [instant, range])
        if (error) refused.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${error}\n  ${q.expr}`);
    }
    expect(refused).toEqual([]);
  });

  it("every variable's series selector is accepted", async () => {
    const selectors = committedDashboards().flatMap((d) =>
      (d.templating.list ?? []).map(
        (v) =>
          /^label_values\((.+), \w+\)$/.exec(typeof v.query === 'string' ? v.query : '')?.[1] ??
          `not label_values: ${d.uid} $${v.name}`,
      ),
    );
    expect(selectors.length).toBeGreaterThanOrEqual(5);
    const refused: string[] = [];
    for (const selector of selectors) {
      const error = await refusal(`/api/v1/series?match[]=${encodeURIComponent(selector)}`);
      if (error) refused.push(`${selector}: ${error}`);
    }
    expect(refused).toEqual([]);
  });

  it('a broken query is refused (the check above can fail)', async () => {
    expect(
      await refusal(
        `/api/v1/query?query=${encodeURIComponent('sum by (style (rate(flowscope_flows_started_total[1m]))')}`,
      ),
    ).toMatch(/^400 .*parse error/);
  });
});
