// The module boundaries of ARCHITECTURE.md "Layout", checked by `npm run lint` (depcruise apps libs).
// Generic over apps/* and libs/*: a new app or library is covered without a change here.
// test/architecture/boundaries.spec.ts makes each rule fire on a deliberate violation.

/** Infrastructure packages, resolved (node_modules/...) or not: nats, Nest, OpenTelemetry. */
const INFRASTRUCTURE = '^(node_modules/)?(nats(/|$)|@nestjs/|@opentelemetry/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'app-imports-app',
      comment: 'Apps never import other apps: they talk over NATS, through libs/contracts.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'lib-imports-app',
      comment: 'Libraries never import apps.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-import-infrastructure',
      comment: 'libs/contracts imports no infrastructure (nats, @nestjs/*, @opentelemetry/*) and no other library.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: [INFRASTRUCTURE, '^libs/(?!contracts/)', '^@flowscope/(?!contracts$)'] },
    },
    {
      name: 'telemetry-imports-library',
      comment: 'libs/telemetry imports no other library: every other one may use it.',
      severity: 'error',
      from: { path: '^libs/telemetry/' },
      to: { path: ['^libs/(?!telemetry/)', '^@flowscope/(?!telemetry(/|$))'] },
    },
    {
      name: 'library-reached-past-its-surface',
      comment: 'Another app or library uses a library through @flowscope/<lib> (its index.ts), not its files.',
      severity: 'error',
      from: { path: '^((apps|libs)/[^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: ['^$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'no-cycles',
      comment: 'No module reaches itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default'] },
  },
};
