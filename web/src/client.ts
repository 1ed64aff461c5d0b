// The urql client: HTTP for queries and mutations (multipart when a File is in the variables),
// graphql-ws for subscriptions, and the session's token on both.

import { authExchange } from "@urql/exchange-auth";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";
import { type Client as WsClient, createClient as createWsClient } from "graphql-ws";

import { LogoutMutation, RefreshMutation, SessionFields } from "./session/operations";
import { type GrantResult, SessionManager, endedReason } from "./session/manager";
import { readFragment } from "./graphql";
import { ConnectionMonitor } from "./connection";

// Beacon refuses multipart requests without this header: it forces a CORS preflight, so no
// other site can post an upload with the user's credentials.
const PREFLIGHT = { "apollo-require-preflight": "true" };

// Close codes Beacon's websocket uses when a session changes (api/websocket.py).
const TOKEN_EXPIRED = 4401;
const ACCESS_WITHDRAWN = 4403;

function websocketUrl(): string {
  const url = new URL("/graphql", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** The session's server calls, through a client of their own (no auth exchange in the way). */
function sessionTransport() {
  const bare = new Client({ url: "/graphql", exchanges: [fetchExchange], requestPolicy: "network-only" });
  return {
    async refresh(): Promise<GrantResult> {
      const result = await bare.mutation(RefreshMutation, {}).toPromise();
      if (result.error?.networkError) throw result.error.networkError;
      const payload = result.data?.refreshToken;
      if (payload?.__typename === "AuthPayload")
        return { ok: true, grant: readFragment(SessionFields, payload) };
      return { ok: false, code: payload?.code ?? "UNKNOWN", message: payload?.message ?? "Refresh failed." };
    },
    async logout(accessToken: string): Promise<void> {
      await bare
        .mutation(
          LogoutMutation,
          {},
          { fetchOptions: { headers: { authorization: `Bearer ${accessToken}` } } },
        )
        .toPromise();
    },
  };
}

export interface Beacon {
  client: Client;
  session: SessionManager;
  connection: ConnectionMonitor;
}

export function createBeacon(): Beacon {
  const session = new SessionManager(sessionTransport());
  const connection = new ConnectionMonitor();

  // One socket per signed-in session, opened at sign-in and kept open even with no
  // subscription: the server closes it (4403) the moment the user's sessions end, which is how
  // an open app learns its user was deactivated or signed out elsewhere.
  let ws: WsClient | null = null;
  const openSocket = (): WsClient =>
    createWsClient({
      url: websocketUrl(),
      lazy: false,
      onNonLazyError: () => connection.set("offline"),
      // Every (re)connection presents a token fresh enough for the server's check.
      connectionParams: async () => {
        const token = await session.freshToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Infinity,
      // graphql-ws gives up on 4401/4403 by default. An expired token is refreshed; withdrawn
      // access is checked by refreshing too: a deactivated user's refresh is refused, and the
      // session ends with the reason.
      shouldRetry: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        if (code === TOKEN_EXPIRED || code === ACCESS_WITHDRAWN) void session.refresh();
        return true;
      },
      on: {
        connected: () => connection.set("online"),
        closed: (event) => {
          const code = (event as CloseEvent | undefined)?.code;
          if (code !== TOKEN_EXPIRED && code !== ACCESS_WITHDRAWN && code !== 1000) connection.set("offline");
        },
      },
    });
  session.subscribe(() => {
    const signedIn = session.getState().status === "signedIn";
    if (signedIn && ws === null) ws = openSocket();
    if (!signedIn && ws !== null) {
      // A signed-out user must not keep a socket, nor have it reconnect with no token. dispose()
      // awaits a connection in progress and rejects with its CloseEvent when the server refuses
      // it (a deactivated user's reconnection): the socket is gone either way.
      void Promise.resolve(ws.dispose()).catch(() => undefined);
      ws = null;
    }
  });

  const client = new Client({
    url: "/graphql",
    fetchOptions: { headers: PREFLIGHT },
    exchanges: [
      cacheExchange,
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = session.currentToken();
          return token ? utils.appendHeaders(operation, { authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError: () => session.tokenExpiresSoon(),
        didAuthError: (error) => error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED"),
        async refreshAuth() {
          // A refused refresh has already ended the session with its reason.
          const refreshed = await session.refresh();
          if (!refreshed && session.getState().status === "signedIn")
            session.end(endedReason("SESSION_ENDED"));
        },
      })),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => {
            if (ws === null) {
              sink.error(new Error("Sign in first."));
              return { unsubscribe: () => undefined };
            }
            return { unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) };
          },
        }),
      }),
    ],
  });
  return { client, session, connection };
}
