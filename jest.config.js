// Three tiers (ARCHITECTURE.md "Testing tiers"): unit specs beside the code, component tests with a
// real nats-server per file, whole-system e2e under test/; `npm test` runs those three. The long
// fault-injection runs (test/chaos) are a fourth project, run by `npm run test:chaos`.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const moduleNameMapper = {
  '^@flowscope/(contracts|messaging|telemetry|runtime|fulfilment)$': '<rootDir>/libs/$1/src',
  '^@flowscope/(contracts|messaging|telemetry|runtime|fulfilment)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = { rootDir: __dirname, testEnvironment: 'node', transform, moduleNameMapper };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    { ...common, displayName: 'component', testMatch: ['<rootDir>/{apps,libs,test}/**/*.component-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'] },
  ],
};
