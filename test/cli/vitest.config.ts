import { defineConfig } from "vitest/config";

// The run-batch CLI is plain Node: its tests run in Node, not in workerd. They are named
// *.spec.ts because test/vitest.config.ts runs every test/**/*.test.ts in workerd.
// biome-ignore lint/style/noDefaultExport: vitest loads the config's default export
export default defineConfig({
  test: {
    include: ["test/cli/**/*.spec.ts"],
    environment: "node",
    testTimeout: 30_000,
    // a test's console output is shown only when it fails, as in the workerd suite
    silent: "passed-only",
  },
});
