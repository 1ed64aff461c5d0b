// The documents table's rows: pages from the server, then every live change on top (an upload,
// a documentEvents update, a reindex, a delete), without refetching what is already shown.

export interface ListDocument {
  id: string;
  status: string;
  title: string;
}

export interface DocumentList<D extends ListDocument> {
  rows: readonly D[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** The filter the rows were loaded with; uploads join the rows through it. */
  filter: ListFilter;
}

export interface ListFilter {
  status: string | null;
  title: string;
}

export type ListAction<D extends ListDocument> =
  | {
      type: "loaded";
      rows: readonly D[];
      endCursor: string | null;
      hasNextPage: boolean;
      filter: ListFilter;
      append: boolean;
    }
  | { type: "added"; document: D }
  | { type: "changed"; document: D }
  | { type: "removed"; id: string };

export function emptyList<D extends ListDocument>(): DocumentList<D> {
  return { rows: [], endCursor: null, hasNextPage: false, filter: { status: null, title: "" } };
}

/** Whether the list's filter would show this document (the server's rules: status, title). */
export function matches(document: ListDocument, filter: ListFilter): boolean {
  if (filter.status !== null && document.status !== filter.status) return false;
  return document.title.toLowerCase().includes(filter.title.trim().toLowerCase());
}

export function documentList<D extends ListDocument>(
  list: DocumentList<D>,
  action: ListAction<D>,
): DocumentList<D> {
  switch (action.type) {
    case "loaded": {
      if (!action.append)
        return {
          rows: action.rows,
          endCursor: action.endCursor,
          hasNextPage: action.hasNextPage,
          filter: action.filter,
        };
      // A document uploaded while paging may come again in a later page: keep the first.
      const known = new Set(list.rows.map((row) => row.id));
      return {
        ...list,
        rows: [...list.rows, ...action.rows.filter((row) => !known.has(row.id))],
        endCursor: action.endCursor,
        hasNextPage: action.hasNextPage,
      };
    }
    case "added": {
      // An upload: at the top (newest first) when the filter would show it; a duplicate that
      // is already shown is updated where it is.
      const { document } = action;
      if (list.rows.some((row) => row.id === document.id)) return replace(list, document);
      return matches(document, list.filter) ? { ...list, rows: [document, ...list.rows] } : list;
    }
    case "changed":
      // A row that leaves the status filter stays until the next load: rows jumping away while
      // someone reads them are worse than a row in a state the filter does not name.
      return replace(list, action.document);
    case "removed":
      return { ...list, rows: list.rows.filter((row) => row.id !== action.id) };
  }
}

function replace<D extends ListDocument>(list: DocumentList<D>, document: D): DocumentList<D> {
  if (!list.rows.some((row) => row.id === document.id)) return list;
  return { ...list, rows: list.rows.map((row) => (row.id === document.id ? document : row)) };
}
