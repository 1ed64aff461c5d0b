// GraphiQL, built from npm and served by Beacon at GET /graphql: no script, style or font comes
// from another host. It shares the app's session: the refresh cookie gives it a token.

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

async function accessToken(): Promise<string | null> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query:
        "mutation { refreshToken(input: { refreshTokenInCookie: true }) { ... on AuthPayload { accessToken } } }",
    }),
  });
  const body = (await response.json()) as { data?: { refreshToken?: { accessToken?: string } } };
  return body.data?.refreshToken?.accessToken ?? null;
}

const token = await accessToken().catch(() => null);
const url = new URL("/graphql", window.location.href);
const fetcher = createGraphiQLFetcher({
  url: url.href,
  subscriptionUrl: url.href.replace(/^http/, "ws"),
  headers: token ? { authorization: `Bearer ${token}` } : {},
  wsConnectionParams: token ? { authorization: `Bearer ${token}` } : {},
});

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={
        "# Signed in through Beacon's web app? Your session is used here.\n{\n  me {\n    email\n    role\n  }\n}\n"
      }
    />
  </StrictMode>,
);
