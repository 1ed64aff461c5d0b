import react from "@vitejs/plugin-react";
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// Two entries: the app (index.html) and GraphiQL (graphiql.html), which beacon serves at
// GET /graphql. GraphiQL is built from npm so no request leaves the host; it is its own entry so
// it stays out of the app's size budget.
const api = process.env.BEACON_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    sourcemap: false,
    manifest: true,
    // GraphiQL's chunk is large by nature and outside the app's budget (scripts/size.mjs checks
    // the app's initial JavaScript).
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      onwarn(warning, warn) {
        // react-compiler-runtime (GraphiQL's) starts with "use no memo"; dropping it is harmless.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
      input: {
        app: resolve(import.meta.dirname, "index.html"),
        graphiql: resolve(import.meta.dirname, "graphiql.html"),
      },
    },
  },
  server: {
    // `npm run dev` talks to a `beacon serve` on the default port, or at BEACON_API_URL
    // (compose.dev.yml: the api service). /auth: the company sign-in's redirects (OIDC).
    proxy: { "/graphql": { target: api, ws: true }, "/files": api, "/auth": api },
  },
  test: { environment: "node", include: ["src/**/*.test.{ts,tsx}"] },
});
