// Index health: what SQL holds against what the vector store holds, in words.

import { useEffect, useState } from "react";
import { useQuery } from "urql";

import { STATUS_WORDS } from "../documents/format";
import { errorWords } from "../ui/errors";
import { formatCount, plural } from "./format";
import { IndexHealthQuery } from "./operations";
import { TableWrap } from "./parts";
import styles from "./Admin.module.css";

type Readiness = "checking" | "ready" | "unreachable" | "unknown";

/** Whether the vector store answers, from the server's own readiness probe (GET /readyz). */
function useVectorStoreReadiness(attempt: number): Readiness {
  const [readiness, setReadiness] = useState<{ attempt: number; value: Readiness }>({
    attempt: -1,
    value: "checking",
  });
  useEffect(() => {
    let current = true;
    fetch("/readyz", { headers: { accept: "application/json" } })
      .then(async (response) => {
        const body = (await response.json()) as { status?: string; vectorStore?: string };
        const value: Readiness =
          response.ok && body.status === "ready"
            ? "ready"
            : body.vectorStore === "unreachable"
              ? "unreachable"
              : "unknown";
        if (current) setReadiness({ attempt, value });
      })
      .catch(() => {
        if (current) setReadiness({ attempt, value: "unknown" });
      });
    return () => {
      current = false;
    };
  }, [attempt]);
  return readiness.attempt === attempt ? readiness.value : "checking";
}

export function HealthTab() {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: IndexHealthQuery,
    requestPolicy: "network-only",
  });
  const [attempt, setAttempt] = useState(0);
  const readiness = useVectorStoreReadiness(attempt);
  const health = data?.indexHealth;
  const unfinished =
    health?.documentsByStatus
      .filter((row) => row.status !== "READY" && row.status !== "FAILED")
      .reduce((sum, row) => sum + row.count, 0) ?? 0;

  return (
    <>
      <div className={styles.headingRow}>
        <h2 className={styles.sectionTitle}>Index health</h2>
        <button
          type="button"
          className="button"
          disabled={fetching}
          onClick={() => {
            reexecute({ requestPolicy: "network-only" });
            setAttempt((value) => value + 1);
          }}
        >
          Check again
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          Could not read the index health: {errorWords(error)} If the vector store is down, searches and
          answers fail until it is back.
        </p>
      )}
      {!health && fetching && (
        <p className="muted" role="status">
          Checking the index…
        </p>
      )}
      {health && (
        <>
          <ul className={styles.verdicts}>
            <li>
              <strong>Vector store ({health.vectorStore}):</strong>{" "}
              {readiness === "ready" && "ready, it answers."}
              {readiness === "unreachable" && (
                <span className="error">
                  not ready: it does not answer. Searches and answers fail until it is back.
                </span>
              )}
              {readiness === "unknown" &&
                "it answered the counts below; the server's readiness check could not be read."}
              {readiness === "checking" && "checking…"}
            </li>
            <li>
              <strong>Passages and vectors:</strong> <Agreement health={health} unfinished={unfinished} />
            </li>
            <li>
              <strong>Stuck documents:</strong>{" "}
              {health.stuckDocuments === 0 ? (
                "none."
              ) : (
                <span className="error">
                  {formatCount(health.stuckDocuments)} unfinished{" "}
                  {health.stuckDocuments === 1 ? "document's worker has" : "documents' workers have"} stopped
                  reporting; Beacon queues {health.stuckDocuments === 1 ? "it" : "them"} again by itself.
                </span>
              )}
            </li>
            <li>
              <strong>Embedding model:</strong> {health.embeddingModel}, {formatCount(health.dimensions)}{" "}
              dimensions.
            </li>
          </ul>
          <h3 className={styles.sectionTitle}>Documents by status</h3>
          <TableWrap label="Documents by status" className={styles.fit}>
            <table>
              <caption className="visually-hidden">Documents by status</caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col" className={styles.number}>
                    Documents
                  </th>
                </tr>
              </thead>
              <tbody>
                {health.documentsByStatus.map((row) => (
                  <tr key={row.status}>
                    <th scope="row">{STATUS_WORDS[row.status]}</th>
                    <td className={styles.number}>{formatCount(row.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </>
  );
}

function Agreement({
  health,
  unfinished,
}: {
  health: { chunkCount: number; vectorCount: number };
  unfinished: number;
}) {
  const { chunkCount, vectorCount } = health;
  const counts = `${plural(chunkCount, "passage")} in the database, ${plural(vectorCount, "vector")} in the store`;
  if (chunkCount === vectorCount) return <>they agree ({counts}).</>;
  if (unfinished > 0)
    return (
      <>
        they differ while {formatCount(unfinished)} {unfinished === 1 ? "document is" : "documents are"} being
        ingested ({counts}); check again once ingestion ends.
      </>
    );
  return (
    <span className="error">
      they disagree ({counts}). Run <code>beacon reconcile --fix</code> to repair the index.
    </span>
  );
}
