// "Load more" over a GraphQL connection. Each loaded page stays a live urql query, so when a
// mutation touches the types a page shows (urql's document cache invalidates by __typename),
// every loaded page is asked again and the table stays true.

import { useEffect, useState } from "react";
import {
  type AnyVariables,
  type CombinedError,
  type OperationResult,
  type TypedDocumentNode,
  useClient,
} from "urql";
import { pipe, subscribe } from "wonka";

export const PAGE_SIZE = 25;

export interface Page<Node> {
  nodes: readonly Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface ConnectionState<Node> {
  nodes: readonly Node[];
  /** The first page has not arrived yet (or is being asked again after a filter change). */
  loading: boolean;
  /** A page is on its way ("Load more" shows it). */
  fetching: boolean;
  error: CombinedError | null;
  hasMore: boolean;
  loadMore: () => void;
}

interface Cursors {
  key: string;
  list: (string | null)[];
}

export function useConnection<Data, Variables extends AnyVariables & { after?: string | null }, Node>(
  query: TypedDocumentNode<Data, Variables>,
  variables: Omit<Variables, "after">,
  select: (data: Data) => Page<Node>,
): ConnectionState<Node> {
  const client = useClient();
  const key = JSON.stringify(variables);
  const [cursors, setCursors] = useState<Cursors>({ key, list: [null] });
  const [results, setResults] = useState<Record<string, OperationResult<Data, Variables>>>({});

  // New filters start again from the first page.
  let list = cursors.list;
  if (cursors.key !== key) {
    list = [null];
    setCursors({ key, list });
  }
  const listKey = JSON.stringify(list);

  useEffect(() => {
    const vars = JSON.parse(key) as Omit<Variables, "after">;
    const pages = JSON.parse(listKey) as (string | null)[];
    const subscriptions = pages.map((after) => {
      const pageKey = `${key}|${after ?? ""}`;
      return pipe(
        client.query(query, { ...vars, first: PAGE_SIZE, after } as unknown as Variables),
        subscribe((result) => setResults((previous) => ({ ...previous, [pageKey]: result }))),
      );
    });
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [client, query, key, listKey]);

  const pages = list.map((after) => results[`${key}|${after ?? ""}`]);
  const nodes: Node[] = [];
  let error: CombinedError | null = null;
  let last: Page<Node> | null = null;
  for (const result of pages) {
    if (!result) break;
    if (result.error && !error) error = result.error;
    if (!result.data) break;
    last = select(result.data);
    nodes.push(...last.nodes);
  }
  const fetching = pages.some((result) => result === undefined);
  const endCursor = last?.pageInfo.endCursor ?? null;
  const hasMore = !fetching && !!last?.pageInfo.hasNextPage && endCursor !== null;

  return {
    nodes,
    loading: pages[0] === undefined,
    fetching,
    error,
    hasMore,
    loadMore: () => {
      if (!hasMore || endCursor === null || list.includes(endCursor)) return;
      setCursors({ key, list: [...list, endCursor] });
    },
  };
}
