// Beacon through Apollo Client: apollo-upload-client's UploadHttpLink for queries, mutations and
// the multipart upload, GraphQLWsLink (graphql-ws) for subscriptions.
// Usage: BEACON_URL=http://127.0.0.1:8000 node apollo.mjs

import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { OperationTypeNode } from "graphql";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";

import { HTTP_URL, PREFLIGHT_HEADERS, WS_URL, run } from "./scenario.mjs";

function connect(token) {
  const authorization = token ? `Bearer ${token}` : undefined;
  const ws = createWsClient({
    url: WS_URL,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0, // a refused socket should fail the check, not be retried quietly
  });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split(
      (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(ws),
      new UploadHttpLink({
        uri: HTTP_URL,
        headers: { ...PREFLIGHT_HEADERS, ...(authorization && { authorization }) },
      }),
    ),
  });
  // "no-cache": every result is checked as the server sent it, and the cache needs no
  // possibleTypes for the result unions.
  const fetchPolicy = "no-cache";

  return {
    async mutate(document, variables) {
      // errorPolicy "none" (the default) makes GraphQL errors reject with their messages.
      const { data } = await client.mutate({ mutation: gql(document), variables, fetchPolicy });
      return data;
    },
    subscribe(document, variables, observer) {
      const subscription = client.subscribe({ query: gql(document), variables, fetchPolicy }).subscribe({
        // Apollo Client 4 delivers GraphQL errors of a subscription as `error` on a result.
        next: ({ data, error }) => (error ? observer.error(error) : observer.next(data)),
        error: (error) => observer.error(error),
        complete: () => observer.complete(),
      });
      return () => subscription.unsubscribe();
    },
    close() {
      client.stop();
      return ws.dispose();
    },
  };
}

await run("apollo", connect);
