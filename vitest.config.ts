import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests share the host's namespace list: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
