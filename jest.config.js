/** Jest 30 + @swc/jest: NestJS 12 is ESM-only, so both our TS and @nestjs/* are transformed to CommonJS. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose)/)'],
  moduleNameMapper: {
    '^@app/(audit|auth|contracts|core|crypto|divisions|messaging|persistence|observability|platform|staff|testing|webhooks)$':
      '<rootDir>/libs/$1/src',
    '^@app/(audit|auth|contracts|core|crypto|divisions|messaging|persistence|observability|platform|staff|testing|webhooks)/(.*)$':
      '<rootDir>/libs/$1/src/$2',
    '^@apps/(.*)$': '<rootDir>/apps/$1',
    '^@scripts/(.*)$': '<rootDir>/scripts/$1',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'],
      // Some unit specs load the division directory (every GB/T 2260 code) or hash passwords: a second alone,
      // several on a 2-core machine running the rest of CI (5 s timed out once). A hang still fails in 20 s.
      testTimeout: 20_000,
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.integration-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
    },
    {
      // `npm run test:faults`: the built apps as processes under injected faults (not part of `npm test`).
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeouts.ts'],
    },
  ],
};
