// The drop zone, the file input "Upload files", the visibility choice and the upload queue's
// rows in words.

import { type DragEvent, useId, useState, useSyncExternalStore } from "react";
import { useQuery } from "urql";

import { type UploadItem, type UploadQueue, isFinished } from "./uploadQueue";
import { humanSize, waitWords } from "./format";
import { DefaultVisibilityQuery, type DocumentRow, type Visibility } from "./operations";
import styles from "./DocumentsPage.module.css";

export type DocumentUploads = UploadQueue<File, Visibility, DocumentRow>;
type Upload = UploadItem<File, Visibility, DocumentRow>;

export const UPLOAD_INPUT_ID = "upload-files";

export function UploadPanel({
  queue,
  onShowDocument,
}: {
  queue: DocumentUploads;
  onShowDocument: (id: string) => void;
}) {
  const [{ data }] = useQuery({ query: DefaultVisibilityQuery });
  const [chosen, setChosen] = useState<Visibility | null>(null);
  const visibility: Visibility = chosen ?? data?.organization.defaultVisibility ?? "ORGANIZATION";
  const [dragging, setDragging] = useState(false);
  const items = useSyncExternalStore(queue.subscribe, queue.getItems);
  const hintId = useId();

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    queue.add(Array.from(event.dataTransfer.files), visibility);
  }

  return (
    <section className={styles.upload} aria-labelledby="upload-heading">
      <h2 id="upload-heading" className="visually-hidden">
        Upload
      </h2>
      <div
        className={styles.dropzone}
        data-dragging={dragging || undefined}
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={(event) => {
          // Leaving for a child of the zone is not leaving the zone.
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={drop}
      >
        <p className={styles.dropText}>Drop files here, or</p>
        <input
          id={UPLOAD_INPUT_ID}
          className={`visually-hidden ${styles.fileInput}`}
          type="file"
          multiple
          aria-describedby={hintId}
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            // Cleared so that choosing the same file again still counts as a change.
            event.currentTarget.value = "";
            queue.add(files, visibility);
          }}
        />
        <label htmlFor={UPLOAD_INPUT_ID} className={`button primary ${styles.fileLabel}`}>
          Upload files
        </label>
        <label className={styles.visibility}>
          Visible to
          <select value={visibility} onChange={(event) => setChosen(event.target.value as Visibility)}>
            <option value="ORGANIZATION">Organization</option>
            <option value="PRIVATE">Private</option>
          </select>
        </label>
        <p id={hintId} className={styles.hint}>
          PDF, Word, PowerPoint, Excel, HTML, Markdown, CSV or text; several at once. Organization: every
          member sees them; private: only you and admins.
        </p>
      </div>
      {items.length > 0 && <UploadList queue={queue} items={items} onShowDocument={onShowDocument} />}
    </section>
  );
}

function UploadList({
  queue,
  items,
  onShowDocument,
}: {
  queue: DocumentUploads;
  items: readonly Upload[];
  onShowDocument: (id: string) => void;
}) {
  const finished = items.some((item) => isFinished(item.state));
  return (
    <div className={styles.uploads}>
      <div className={styles.uploadsHeader}>
        <h3 className={styles.uploadsTitle}>Uploads</h3>
        <p className={styles.summary} aria-live="polite">
          {summary(items)}
        </p>
        {finished && (
          <button type="button" className="button quiet" onClick={() => queue.clearFinished()}>
            Clear finished
          </button>
        )}
      </div>
      {/* Focusable so that a long list scrolls from the keyboard too. */}
      <ul className={styles.uploadList} aria-label="Uploads" tabIndex={0}>
        {items.map((item) => (
          <li key={item.key} className={styles.uploadItem} data-state={item.state.kind}>
            <span className={styles.uploadName}>
              {item.file.name} <span className="muted">({humanSize(item.file.size)})</span>
            </span>
            <UploadStateWords item={item} queue={queue} onShowDocument={onShowDocument} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function UploadStateWords({
  item,
  queue,
  onShowDocument,
}: {
  item: Upload;
  queue: DocumentUploads;
  onShowDocument: (id: string) => void;
}) {
  const { state } = item;
  const retry = (
    <button type="button" className="link" onClick={() => queue.retry(item.key)}>
      Retry {item.file.name}
    </button>
  );
  switch (state.kind) {
    case "waiting":
      return <span className="muted">Waiting</span>;
    case "uploading":
      return <span>Uploading…</span>;
    case "done":
      return <span className={styles.ok}>Uploaded.{state.note ? ` ${state.note}` : ""}</span>;
    case "duplicate":
      return (
        <span>
          Already uploaded as “{state.document.title}”.{" "}
          <button type="button" className="link" onClick={() => onShowDocument(state.document.id)}>
            Show “{state.document.title}”
          </button>
        </span>
      );
    case "refused":
      return (
        <span className="error">
          Not uploaded: {state.reason}
          {state.retryAfterSeconds !== undefined && <> {waitWords(state.retryAfterSeconds)}</>}{" "}
          {state.retryAfterSeconds !== undefined && retry}
        </span>
      );
    case "failed":
      return (
        <span className="error">
          {state.reason} {retry}
        </span>
      );
  }
}

const SUMMARY_WORDS: [Upload["state"]["kind"], string][] = [
  ["done", "uploaded"],
  ["duplicate", "already there"],
  ["uploading", "uploading"],
  ["waiting", "waiting"],
  ["refused", "not uploaded"],
  ["failed", "failed"],
];

/** "27 files: 5 uploaded, 3 uploading, 19 waiting". */
function summary(items: readonly Upload[]): string {
  const counts = SUMMARY_WORDS.map(
    ([kind, words]) => [items.filter((item) => item.state.kind === kind).length, words] as const,
  )
    .filter(([count]) => count > 0)
    .map(([count, words]) => `${count} ${words}`);
  return `${items.length} ${items.length === 1 ? "file" : "files"}: ${counts.join(", ")}`;
}
