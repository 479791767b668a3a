import { defineConfig } from "vitest/config";

// The dashboard in a real browser: playwright-core driving Debian's chromium (/usr/bin/chromium,
// installed by .ci/run) against the local stack, which global-setup starts with a slow simulator.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.test.ts"],
    globalSetup: ["./test/browser/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
