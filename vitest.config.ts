import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests (real processes) live in test/.
export default defineConfig({
  // What `import … from 'faultline'` means inside this repository: its own source.
  resolve: { alias: [{ find: /^faultline$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) }] },
  test: {
    include: ['{lib,env,mocks,toxics,scenarios,runner,scripts}/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // 'default' for people; the summary line `tests: N passed, N failed` for CI harnesses.
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real servers; two cores do not like many at once.
    maxWorkers: 2,
  },
});
