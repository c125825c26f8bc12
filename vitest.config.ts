import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/kit/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The embedded database's WebAssembly engine holds a timer; forks end cleanly anyway.
    teardownTimeout: 5_000,
  },
});
