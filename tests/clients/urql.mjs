// Beacon through urql: uploads with urql's own fetchExchange (it sends a GraphQL multipart
// request when a File is in the variables) and subscriptions through subscriptionExchange
// over graphql-ws. Usage: BEACON_URL=http://127.0.0.1:8000 node urql.mjs

import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import { onEnd, pipe, subscribe } from "wonka";
import WebSocket from "ws";

import { HTTP_URL, PREFLIGHT_HEADERS, WS_URL, describe, run } from "./scenario.mjs";

/** urql wraps failures in a CombinedError; a closed socket's reason is in networkError. */
function urqlError(error) {
  return new Error(error.networkError ? describe(error.networkError) : error.message);
}

function connect(token) {
  const authorization = token ? `Bearer ${token}` : undefined;
  const ws = createWsClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0, // a refused socket should fail the check, not be retried quietly
  });
  const client = new Client({
    url: HTTP_URL,
    fetchOptions: { headers: { ...PREFLIGHT_HEADERS, ...(authorization && { authorization }) } },
    exchanges: [
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
      fetchExchange,
    ],
  });

  return {
    async mutate(document, variables) {
      const result = await client.mutation(document, variables).toPromise();
      if (result.error) throw urqlError(result.error);
      return result.data;
    },
    subscribe(document, variables, observer) {
      // onEnd: urql ends the source when the server completes the subscription.
      const { unsubscribe } = pipe(
        client.subscription(document, variables),
        onEnd(() => observer.complete()),
        subscribe((result) => (result.error ? observer.error(urqlError(result.error)) : observer.next(result.data))),
      );
      return unsubscribe;
    },
    close: () => ws.dispose(),
  };
}

await run("urql", connect);
