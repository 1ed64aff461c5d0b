// The documents table: one row per document, status in words with a progress bar, failures
// inline, and the actions the caller may take (delete: uploader or ADMIN; reindex: ADMIN).

import * as Dialog from "@radix-ui/react-dialog";
import { useRef, useState } from "react";
import { useMutation } from "urql";

import { ConfirmDialog } from "../ui/ConfirmDialog";
import { readFragment } from "../graphql";
import { errorWords } from "../ui/errors";
import { STATUS_WORDS, VISIBILITY_WORDS, humanSize, isFinal, typeName } from "./format";
import {
  DeleteDocumentMutation,
  DocumentFields,
  type DocumentRow,
  ReindexDocumentMutation,
} from "./operations";
import styles from "./DocumentsPage.module.css";

export function DocumentTable({
  rows,
  userId,
  admin,
  highlight,
  busy,
  onChange,
  onRemoved,
}: {
  rows: readonly DocumentRow[];
  userId: string;
  admin: boolean;
  highlight: string | null;
  busy: boolean;
  onChange: (document: DocumentRow) => void;
  onRemoved: (id: string) => void;
}) {
  const [deleting, setDeleting] = useState<DocumentRow | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [reindexState, reindex] = useMutation(ReindexDocumentMutation);

  async function reindexRow(row: DocumentRow) {
    setActionError(null);
    const result = await reindex({ id: row.id, admin });
    const payload = result.data?.reindexDocument;
    if (payload?.__typename === "ReindexDocumentSuccess")
      onChange(readFragment(DocumentFields, payload.document));
    else if (payload?.__typename === "NotFoundError") {
      setActionError(`“${row.title}” could not be reindexed: ${payload.message}`);
      onRemoved(row.id);
    } else
      setActionError(
        `“${row.title}” could not be reindexed: ${result.error ? errorWords(result.error) : "no answer."}`,
      );
  }

  return (
    <>
      {actionError && (
        <p className="notice" role="alert">
          {actionError}
        </p>
      )}
      <div className="table-wrap">
        <table className={styles.table} aria-busy={busy || undefined}>
          <caption className="visually-hidden">Documents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Type</th>
              <th scope="col">Size</th>
              <th scope="col">Visibility</th>
              <th scope="col">Uploaded by</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.id}
                id={`document-${row.id}`}
                tabIndex={-1}
                className={row.id === highlight ? styles.highlight : undefined}
              >
                <td className={styles.title}>
                  <span className={styles.titleText}>{row.title}</span>
                  {row.filename !== row.title && <span className={styles.filename}>{row.filename}</span>}
                </td>
                <td className={styles.status}>
                  <Status row={row} />
                </td>
                <td>{typeName(row.contentType)}</td>
                <td className={styles.nowrap}>{humanSize(row.sizeBytes)}</td>
                <td>{VISIBILITY_WORDS[row.visibility]}</td>
                <td className={styles.uploader}>
                  {row.uploadedBy.id === userId ? "You" : (row.uploadedBy.email ?? "Another member")}
                </td>
                <td className={styles.actions}>
                  {admin && (
                    <button
                      type="button"
                      className="button quiet"
                      aria-label={`Reindex ${row.title}`}
                      disabled={!isFinal(row.status) || reindexState.fetching}
                      onClick={() => void reindexRow(row)}
                    >
                      Reindex
                    </button>
                  )}
                  {(admin || row.uploadedBy.id === userId) && (
                    <button
                      type="button"
                      className="button quiet"
                      aria-label={`Delete ${row.title}`}
                      onClick={() => setDeleting(row)}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <DeleteDialog document={deleting} onClose={() => setDeleting(null)} onDeleted={onRemoved} />
    </>
  );
}

function Status({ row }: { row: DocumentRow }) {
  const word = STATUS_WORDS[row.status];
  if (row.status === "FAILED") {
    return (
      <span className={styles.failed}>
        {word}: {row.failure?.message ?? "no reason was recorded."}
        {row.failure?.retryable && (
          <span className={styles.retryHint}> Uploading the file again retries it.</span>
        )}
      </span>
    );
  }
  if (row.status === "READY") return <span className={styles.ready}>{word}</span>;
  return (
    <span className={styles.progress}>
      <span>{word}</span>
      <progress max={1} value={row.progress} aria-label={`Progress of ${row.title}`} />
    </span>
  );
}

function DeleteDialog({
  document,
  onClose,
  onDeleted,
}: {
  document: DocumentRow | null;
  onClose: () => void;
  onDeleted: (id: string) => void;
}) {
  const [{ fetching }, remove] = useMutation(DeleteDocumentMutation);
  const [error, setError] = useState<string | null>(null);
  // A ref, not state: the dialog closes in the same render that would carry the new state.
  const deleted = useRef(false);

  async function confirm() {
    if (!document) return;
    setError(null);
    const result = await remove({ id: document.id });
    const payload = result.data?.deleteDocument;
    // Not found: someone else deleted it first; either way it is gone.
    if (payload) {
      deleted.current = true;
      onDeleted(document.id);
      onClose();
    } else setError(result.error ? errorWords(result.error) : "No answer from Beacon.");
  }

  return (
    <Dialog.Root
      open={document !== null}
      onOpenChange={(open) => {
        if (!open) {
          setError(null);
          onClose();
        }
      }}
    >
      <ConfirmDialog
        title={`Delete “${document?.title ?? ""}”?`}
        description="Its file, passages and search index entries are removed for everyone. This cannot be undone."
        confirmLabel={fetching ? "Deleting…" : "Delete"}
        busy={fetching}
        error={error}
        onConfirm={() => void confirm()}
        onCloseAutoFocus={(event) => {
          // The Delete button that opened the dialog went with its row: focus the page rather
          // than letting it fall to the document's body.
          if (!deleted.current) return;
          event.preventDefault();
          deleted.current = false;
          window.document.getElementById("main")?.focus();
        }}
      />
    </Dialog.Root>
  );
}
