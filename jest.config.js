/** Jest runs the TypeScript sources directly through SWC: no build step before tests. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023' } }] },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
