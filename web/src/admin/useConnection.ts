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
        subscribe((result) =>
          setResults((previous) => {
            // Pages of earlier filters are dropped: going back to one asks again.
            const kept = Object.entries(previous).filter(([known]) => known.startsWith(`${key}|`));
            return { ...Object.fromEntries(kept), [pageKey]: result };
          }),
        ),
      );
    });
    return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
  }, [client, query, key, listKey]);

  const pages = list.map((after) => results[`${key}|${after ?? ""}`]);
  const { nodes, error, fetching, endCursor, hasMore } = combinePages(pages, select);

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

interface PageResult<Data> {
  data?: Data;
  error?: CombinedError;
}

/**
 * The loaded pages as one list: the nodes of every page up to the first that has not arrived,
 * the first error, and where the next page starts. `undefined` is a page still on its way.
 */
export function combinePages<Data, Node>(
  pages: readonly (PageResult<Data> | undefined)[],
  select: (data: Data) => Page<Node>,
): {
  nodes: Node[];
  error: CombinedError | null;
  fetching: boolean;
  endCursor: string | null;
  hasMore: boolean;
} {
  const nodes: Node[] = [];
  let error: CombinedError | null = null;
  let last: Page<Node> | null = null;
  let complete = true;
  for (const result of pages) {
    if (!result) {
      complete = false;
      break;
    }
    if (result.error && !error) error = result.error;
    if (!result.data) {
      complete = false;
      break;
    }
    last = select(result.data);
    nodes.push(...last.nodes);
  }
  const fetching = pages.some((result) => result === undefined);
  const endCursor = complete ? (last?.pageInfo.endCursor ?? null) : null;
  const hasMore = !fetching && complete && !!last?.pageInfo.hasNextPage && endCursor !== null;
  return { nodes, error, fetching, endCursor, hasMore };
}
