import { defineConfig } from "vitest/config";

// End-to-end tests run in Node with the official `openai` SDK against the local stack
// (`npm start`), which global-setup starts on a free port with a fresh state folder.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["./test/e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // a test's console output is shown only when it fails, as in the workerd suite
    silent: "passed-only",
  },
});
