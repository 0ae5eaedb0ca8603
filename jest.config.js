/**
 * Three projects:
 * - unit: the core library, the nodes' functions, the CRM store on PostgreSQL, the sidecar over real
 *         HTTP on loopback and the package scan (a minute or two on 2 cores).
 * - e2e:  a real n8n (Node 24, installed by scripts/install-runtime.sh) with this package loaded,
 *         the real sidecar and the real PostgreSQL (minutes).
 * - reliability: the whole stack as `npm start` runs it (its own embedded PostgreSQL), with
 *         faults injected into the running processes (minutes).
 * Every global setup builds dist/ and sidecar/dist when they are missing or stale (test/support/build-once.ts):
 * under `npm test`, its build step has just made them.
 */
// Type checking is `npm run typecheck`'s job; tests only transpile (isolatedModules in tsconfig.json).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
module.exports = {
  // Which file starts first on the two workers of `npm test`: see test/support/test-order.js.
  testSequencer: '<rootDir>/test/support/test-order.js',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/sidecar/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/build-once.ts',
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/long-timeout.ts'],
    },
    {
      displayName: 'reliability',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/reliability/**/*.reliability.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/long-timeout.ts'],
    },
  ],
};
