import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // server-only throws outside React Server Components; server code is tested directly here.
    alias: { "server-only": path.resolve("lib/testing/server-only-stub.ts") },
  },
  test: {
    include: ["lib/**/*.test.ts"],
    environment: "node",
  },
});
