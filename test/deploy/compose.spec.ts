// docker-compose.yml, .env, deploy/prometheus.yml and the Dockerfile against the apps they run: no
// Docker engine here, so the files are checked for what compose would do with them. The app list
// is deploy/launch/apps.ts (what `npm start` runs); the published ports are the README's table.
import type { z } from 'zod';
import { logisticsConfigSchema } from '../../apps/logistics/src/config';
import { notificationConfigSchema } from '../../apps/notification/src/config';
import { ordersConfigSchema } from '../../apps/orders/src/config';
import { paymentsConfigSchema } from '../../apps/payments/src/config';
import { trackerConfigSchema } from '../../apps/process-tracker/src/config';
import { sellerConfigSchema } from '../../apps/seller/src/config';
import { APP_NAMES, APPS, type AppName } from '../../deploy/launch/apps';
import {
  interpolate,
  parseDotenv,
  publishedPorts,
  read,
  readmePorts,
  readYaml,
  variableReferences,
  type ComposeFile,
} from './compose-files';

const SCHEMAS: Record<AppName, z.ZodObject> = {
  orders: ordersConfigSchema,
  payments: paymentsConfigSchema,
  seller: sellerConfigSchema,
  logistics: logisticsConfigSchema,
  notification: notificationConfigSchema,
  'process-tracker': trackerConfigSchema,
};
/** The standard OTel variables the SDK bootstrap (libs/telemetry/src/sdk.ts) leaves to the SDK. */
const OTEL_VARIABLES = [
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_BSP_SCHEDULE_DELAY',
];
const INFRASTRUCTURE = ['nats', 'jaeger', 'prometheus', 'grafana'];

const composeText = read('docker-compose.yml');
const compose = readYaml<ComposeFile>('docker-compose.yml');
const dotenv = parseDotenv(read('.env'));
const readme = readmePorts(read('README.md'));
const resolvedEnv = (env: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, dotenv)]));

describe('docker-compose.yml', () => {
  it('runs NATS, Jaeger, Prometheus, Grafana and every app of deploy/launch/apps.ts, nothing else', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...INFRASTRUCTURE, ...APP_NAMES].sort());
  });

  it('takes every variable from the committed .env, except the passwords (Grafana admin, NATS users), which have no default', () => {
    const references = variableReferences(composeText);
    const isPassword = (name: string) => name === 'GRAFANA_ADMIN_PASSWORD' || name.startsWith('NATS_PASSWORD_');
    const missing = references.filter((r) => !isPassword(r.name) && dotenv[r.name] === undefined).map((r) => r.name);
    expect(missing).toEqual([]);
    expect(references.filter((r) => r.operator === ':-' || r.operator === '-')).toEqual([]); // .env is the one place for values
    const password = references.filter((r) => r.name === 'GRAFANA_ADMIN_PASSWORD');
    expect(password).toEqual([expect.objectContaining({ operator: ':?' })]);
    expect(references.filter((r) => isPassword(r.name) && r.operator !== ':?')).toEqual([]);
    expect(Object.keys(dotenv).filter(isPassword)).toEqual([]);
    expect(compose.services.grafana.environment).toMatchObject({
      GF_SECURITY_ADMIN_PASSWORD: expect.stringMatching(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/),
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
    });
  });

  it.each(APP_NAMES)('builds %s from the one Dockerfile and publishes it at its port of the README', (name) => {
    const service = compose.services[name];
    expect(service.build).toEqual({ context: '.', args: expect.objectContaining({ APP: name }) });
    expect(readme.get(name)).toEqual([APPS[name]]);
    expect(publishedPorts(service, dotenv)).toEqual([
      { address: '127.0.0.1', host: APPS[name], container: APPS[name] },
    ]);
    expect(service.environment).toMatchObject({
      HTTP_PORT: String(APPS[name]),
      HTTP_HOST: '0.0.0.0',
      OTEL_SERVICE_NAME: name,
    });
  });

  it.each(APP_NAMES)(
    'gives %s a /health healthcheck, NATS and Jaeger healthy before it starts, and a memory limit',
    (name) => {
      const service = compose.services[name];
      expect(service.healthcheck?.test.join(' ')).toMatch(
        /fetch\('http:\/\/127\.0\.0\.1:' \+ process\.env\.HTTP_PORT \+ '\/health'/,
      );
      // The tracker may not create the streams (deploy/nats/permissions.ts): orders, which may, starts first.
      const creator = name === 'process-tracker' ? { orders: { condition: 'service_healthy' } } : {};
      expect(service.depends_on).toEqual({
        nats: { condition: 'service_healthy' },
        jaeger: { condition: 'service_healthy' },
        ...creator,
      });
      expect(service.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
    },
  );

  it.each(APP_NAMES)('sets only variables %s reads, with values its config accepts', (name) => {
    const env = resolvedEnv(compose.services[name].environment);
    const known = [...Object.keys(SCHEMAS[name].shape), ...OTEL_VARIABLES];
    expect(Object.keys(env).filter((key) => !known.includes(key))).toEqual([]);
    const parsed = SCHEMAS[name].safeParse(env);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(env).toMatchObject({ NATS_URL: 'nats://nats:4222', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' });
  });

  it.each(INFRASTRUCTURE)('publishes %s at the ports of the README, with a healthcheck and a memory limit', (name) => {
    const service = compose.services[name];
    expect(publishedPorts(service, dotenv).map((p) => p.host)).toEqual(readme.get(name));
    expect(service.healthcheck?.test[0]).toBe('CMD');
    expect(service.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
    for (const dependency of Object.values(service.depends_on ?? {}))
      expect(dependency.condition).toBe('service_healthy');
  });

  it('runs Prometheus with exemplar storage, Jaeger and NATS with the configs in deploy/', () => {
    const { prometheus, jaeger, nats, grafana } = compose.services;
    expect(prometheus.command).toEqual(
      expect.arrayContaining(['--enable-feature=exemplar-storage', '--config.file=/etc/prometheus/prometheus.yml']),
    );
    expect(prometheus.volumes).toContain('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(jaeger.command).toEqual(['--config', '/etc/jaeger/config.yaml']);
    expect(jaeger.volumes).toContain('./deploy/jaeger/config.yaml:/etc/jaeger/config.yaml:ro');
    expect(jaeger.image).toBe('jaegertracing/jaeger:${JAEGER_VERSION}');
    expect(dotenv.JAEGER_VERSION).toBe('2.13.0'); // the v2 release of the v1.76.0 module install-tools.sh builds
    expect(nats.volumes).toEqual(['./deploy/nats/nats.conf:/etc/nats/flowscope.conf:ro', 'nats-data:/data']);
    expect(read('deploy/nats/nats.conf')).toMatch(/jetstream \{[^}]*store_dir: \/data\n/);
    expect(grafana.volumes).toEqual([
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/grafana/dashboards:ro',
    ]);
  });
});

interface PrometheusConfig {
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
  }[];
}

describe('deploy/prometheus.yml', () => {
  const jobs = readYaml<PrometheusConfig>('deploy/prometheus.yml').scrape_configs;
  const job = (name: string) => jobs.find((j) => j.job_name === name);

  it.each(APP_NAMES)('scrapes %s by its compose name and port, labelled with its service', (name) => {
    expect(job(name)?.static_configs).toEqual([{ targets: [`${name}:${APPS[name]}`], labels: { service: name } }]);
    expect(job(name)?.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it("scrapes Jaeger's span metrics where Jaeger's config exports them, and Jaeger queries this Prometheus", () => {
    expect(job('spanmetrics')?.static_configs).toEqual([{ targets: ['jaeger:8889'] }]);
    const jaeger = read('deploy/jaeger/config.yaml');
    expect(jaeger).toMatch(/exporters:\n(?: {2}.*\n)*? {2}prometheus:\n {4}endpoint: 0\.0\.0\.0:8889\n/);
    expect(jaeger).toMatch(/metric_backends:[\s\S]*endpoint: http:\/\/prometheus:9090\n/);
    expect(jobs.map((j) => j.job_name).sort()).toEqual([...APP_NAMES, 'prometheus', 'spanmetrics'].sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('starts an app as the local launcher does: the OTel register preloaded, then the app from dist/', () => {
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
    expect(cmd).toContain('--require ./dist/libs/telemetry/src/register.js');
    expect(cmd).toContain('./dist/apps/${APP}/src/main.js');
    expect(read('deploy/launch/apps.ts')).toMatch(
      /'dist', 'apps', this\.name, 'src', 'main\.js'[\s\S]*'dist', 'libs', 'telemetry', 'src', 'register\.js'/,
    );
  });

  it('builds on Node 22 with npm ci, runs production dependencies only, as a non-root user', () => {
    expect(dotenv.NODE_IMAGE).toMatch(/^node:22[-.]/);
    expect(dockerfile).toMatch(/^RUN npm ci --no-audit/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ARG APP$/m);
  });
});
