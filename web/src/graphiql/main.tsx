// GraphiQL, built from npm and served by Beacon at GET /graphql: no script, style or font comes
// from another host. It shares the web app's session: the refresh cookie gives it a token, which
// it refreshes before expiry (taking turns with the app's tabs, as the app does).

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import "./page.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { acrossTabs, expiresSoon } from "../session/schedule";

const REFRESH = `mutation {
  refreshToken(input: { refreshTokenInCookie: true }) {
    ... on AuthPayload { accessToken accessTokenExpiresAt }
  }
}`;

interface Token {
  value: string;
  expiresAt: number;
  issuedAt: number;
}

let token: Token | null = null;

async function refresh(): Promise<Token | null> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: REFRESH }),
  });
  const body = (await response.json()) as {
    data?: { refreshToken?: { accessToken?: string; accessTokenExpiresAt?: string } };
  };
  const payload = body.data?.refreshToken;
  if (!payload?.accessToken || !payload.accessTokenExpiresAt) return null;
  return {
    value: payload.accessToken,
    expiresAt: Date.parse(payload.accessTokenExpiresAt),
    issuedAt: Date.now(),
  };
}

/** The session's token, refreshed when due; null when nobody is signed in. */
async function currentToken(): Promise<string | null> {
  if (token === null || expiresSoon(token.expiresAt, token.issuedAt, Date.now())) {
    try {
      token = await acrossTabs(refresh);
    } catch {
      token = null;
    }
  }
  return token?.value ?? null;
}

const first = await currentToken();
const url = new URL("/graphql", window.location.href);
const fetcher = createGraphiQLFetcher({
  url: url.href,
  subscriptionUrl: url.href.replace(/^http/, "ws"),
  wsConnectionParams: first ? { authorization: `Bearer ${first}` } : {},
  fetch: async (input, init) => {
    const headers = new Headers(init?.headers);
    // A header typed in GraphiQL's Headers tab wins over the session's.
    if (!headers.has("authorization")) {
      const value = await currentToken();
      if (value) headers.set("authorization", `Bearer ${value}`);
    }
    return fetch(input, { ...init, headers });
  },
});

const welcome = `# Signed in at / ? This page uses that session.
# If not: run login here, then put
# {"authorization": "Bearer <accessToken>"} under Headers.
{
  me {
    email
    role
  }
}
`;

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={welcome} />
  </StrictMode>,
);
