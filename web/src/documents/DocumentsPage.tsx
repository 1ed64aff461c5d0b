// Documents: upload (drop zone, queue), the table newest first with live progress through
// documentEvents, a status filter and title search, delete with confirmation, reindex (ADMIN).

import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { type Client, useClient } from "urql";

import { useUser } from "../app/beacon";
import { readFragment } from "../graphql";
import { errorWords } from "../ui/errors";
import { type DocumentList, type ListAction, documentList, emptyList } from "./documentList";
import { DocumentTable } from "./DocumentTable";
import { STATUSES, STATUS_WORDS, isFinal } from "./format";
import {
  DocumentFields,
  type DocumentRow,
  type DocumentStatus,
  DocumentsQuery,
  UploadDocumentMutation,
  type Visibility,
  uploadOutcome,
} from "./operations";
import { type DocumentUploads, UPLOAD_INPUT_ID, UploadPanel } from "./UploadPanel";
import { UploadQueue } from "./uploadQueue";
import { FollowDocument } from "./FollowDocument";
import styles from "./DocumentsPage.module.css";

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 300;
const UPLOADS_AT_ONCE = 3;
const HIGHLIGHT_MS = 4000;
// Beacon caps the operations in flight on one socket (BEACON_MAX_SUBSCRIPTIONS_PER_CONNECTION,
// 20 by default) and refuses the rest: the page follows the newest unfinished documents up to
// half of that, and the next ones as those finish.
const FOLLOWED_AT_ONCE = 10;

type Rows = DocumentList<DocumentRow>;

function createUploads(
  client: Client,
  admin: boolean,
  onDocument: (row: DocumentRow) => void,
): DocumentUploads {
  return new UploadQueue<File, Visibility, DocumentRow>(
    async (file, visibility) => {
      const result = await client.mutation(UploadDocumentMutation, { file, visibility, admin }).toPromise();
      if (result.error?.networkError) throw result.error.networkError;
      const payload = result.data?.uploadDocument;
      if (!payload)
        return { kind: "refused", reason: result.error ? errorWords(result.error) : "No answer." };
      const outcome = uploadOutcome(payload);
      if (outcome.kind !== "refused") onDocument(outcome.document);
      return outcome;
    },
    { concurrency: UPLOADS_AT_ONCE },
  );
}

export function DocumentsPage() {
  const client = useClient();
  const user = useUser();
  const admin = user.role === "ADMIN";
  const [list, dispatch] = useReducer(
    (state: Rows, action: ListAction<DocumentRow>) => documentList(state, action),
    undefined,
    () => emptyList<DocumentRow>(),
  );
  const [status, setStatus] = useState<DocumentStatus | null>(null);
  const [search, setSearch] = useState("");
  const [title, setTitle] = useState("");
  const [reloads, setReloads] = useState(0);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");

  const [uploads] = useState(() =>
    createUploads(client, admin, (document) => dispatch({ type: "added", document })),
  );

  // The search waits for a pause in typing.
  useEffect(() => {
    const timer = setTimeout(() => setTitle(search.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // The first page for the filter in force. `loaded` names the request that last answered:
  // while it is not the current one, the table is loading.
  const request = `${status ?? ""}|${title}|${reloads}`;
  const [loaded, setLoaded] = useState<{ request: string; error: string | null } | null>(null);
  const current = useRef(request);
  useEffect(() => {
    current.current = request;
    const filter = { status, title };
    // Only the newest request may fill the table (a slow old search must not win).
    let live = true;
    void client
      .query(
        DocumentsQuery,
        { first: PAGE_SIZE, after: null, status, title: title || null, admin },
        { requestPolicy: "network-only" },
      )
      .toPromise()
      .then((result) => {
        if (!live) return;
        const page = result.data?.documents;
        if (page)
          dispatch({
            type: "loaded",
            rows: page.nodes.map((node) => readFragment(DocumentFields, node)),
            endCursor: page.pageInfo.endCursor ?? null,
            hasNextPage: page.pageInfo.hasNextPage,
            filter,
            append: false,
          });
        setLoaded({ request, error: page ? null : result.error ? errorWords(result.error) : "No answer." });
      });
    return () => {
      live = false;
    };
  }, [client, request, status, title, admin]);
  const loading = loaded?.request !== request;
  const loadError = loading ? null : (loaded?.error ?? null);

  const [more, setMore] = useState<{ fetching: boolean; error: string | null }>({
    fetching: false,
    error: null,
  });
  async function loadMore() {
    const startedFor = current.current;
    setMore({ fetching: true, error: null });
    const result = await client
      .query(
        DocumentsQuery,
        { first: PAGE_SIZE, after: list.endCursor, status, title: title || null, admin },
        { requestPolicy: "network-only" },
      )
      .toPromise();
    if (startedFor !== current.current) return setMore({ fetching: false, error: null });
    const page = result.data?.documents;
    if (page)
      dispatch({
        type: "loaded",
        rows: page.nodes.map((node) => readFragment(DocumentFields, node)),
        endCursor: page.pageInfo.endCursor ?? null,
        hasNextPage: page.pageInfo.hasNextPage,
        filter: list.filter,
        append: true,
      });
    setMore({ fetching: false, error: page ? null : result.error ? errorWords(result.error) : "No answer." });
  }

  const onChange = useCallback((document: DocumentRow) => {
    dispatch({ type: "changed", document });
    if (isFinal(document.status))
      setAnnouncement(
        document.status === "READY"
          ? `${document.title} is ready.`
          : `${document.title} failed: ${document.failure?.message ?? "no reason given."}`,
      );
  }, []);
  const onGone = useCallback((id: string) => dispatch({ type: "removed", id }), []);

  const showDocument = useCallback((id: string) => {
    setHighlight(id);
    const row = document.getElementById(`document-${id}`);
    row?.scrollIntoView({ block: "center", behavior: "smooth" });
    row?.focus({ preventScroll: true });
  }, []);
  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlight]);

  const filtered = status !== null || title !== "";
  const following = list.rows.filter((row) => !isFinal(row.status)).slice(0, FOLLOWED_AT_ONCE);

  return (
    <section className="page">
      <h1>Documents</h1>
      <UploadPanel queue={uploads} onShowDocument={showDocument} />

      <div className={`toolbar ${styles.filters}`} role="search" aria-label="Filter documents">
        <label>
          Status
          <select
            value={status ?? ""}
            onChange={(event) => setStatus((event.target.value || null) as DocumentStatus | null)}
          >
            <option value="">All statuses</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {STATUS_WORDS[value]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.search}>
          Search titles
          <input
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            maxLength={300}
          />
        </label>
      </div>

      {following.map((row) => (
        <FollowDocument key={row.id} id={row.id} admin={admin} onChange={onChange} onGone={onGone} />
      ))}
      <p className="visually-hidden" role="status">
        {announcement}
      </p>

      {loadError !== null && (
        <div className="notice" role="alert">
          Documents could not be loaded: {loadError}{" "}
          <button type="button" className="link" onClick={() => setReloads((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}

      {list.rows.length > 0 ? (
        <DocumentTable
          rows={list.rows}
          userId={user.id}
          admin={admin}
          highlight={highlight}
          busy={loading}
          onChange={onChange}
          onRemoved={onGone}
        />
      ) : loading ? (
        <p className="muted" aria-busy="true">
          Loading documents…
        </p>
      ) : loadError === null && filtered ? (
        <div className="empty">
          <p>No documents match this filter.</p>
          <button
            type="button"
            className="button"
            onClick={() => {
              setStatus(null);
              setSearch("");
              setTitle("");
            }}
          >
            Show all documents
          </button>
        </div>
      ) : loadError === null ? (
        <div className="empty">
          <p>No documents yet.</p>
          <p>
            Drop files on the area above, or use{" "}
            <button
              type="button"
              className="link"
              onClick={() => document.getElementById(UPLOAD_INPUT_ID)?.click()}
            >
              choose files to upload
            </button>
            . Once a document is “Ready”, Chat answers from it.
          </p>
        </div>
      ) : null}

      {list.hasNextPage && (
        <div className={styles.more}>
          <button type="button" className="button" disabled={more.fetching} onClick={() => void loadMore()}>
            {more.fetching ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      {more.error !== null && (
        <p className="error" role="alert">
          More documents could not be loaded: {more.error}
        </p>
      )}
    </section>
  );
}
