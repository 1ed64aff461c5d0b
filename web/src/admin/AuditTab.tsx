// Audit log: who did what, to what, from where; newest first, filtered by action, person and time.

import { useState } from "react";
import { useQuery } from "urql";

import {
  ANY_AUDIT,
  AUDIT_ACTIONS,
  type AuditFilter,
  PERIODS,
  actionLabel,
  auditVariables,
  isPeriod,
} from "./filters";
import { detailsWords } from "./format";
import { AuditActorsQuery, AuditLogQuery } from "./operations";
import { LoadMore, QueryError, TableWrap, When, useNow } from "./parts";
import { useConnection } from "./useConnection";
import styles from "./Admin.module.css";

export function AuditTab() {
  const [filter, setFilter] = useState<AuditFilter>(ANY_AUDIT);
  // The variables are fixed when the filter changes ("since" is a moment, not "now minus").
  const [variables, setVariables] = useState(() => auditVariables(ANY_AUDIT, new Date()));
  const log = useConnection(AuditLogQuery, variables, (data) => data.auditLog);
  const [{ data: actors }] = useQuery({ query: AuditActorsQuery });
  const people = actors?.users.nodes ?? [];
  const emailOf = (id: string | null | undefined) => people.find((person) => person.id === id)?.email;
  const now = useNow();

  function change(next: Partial<AuditFilter>) {
    const updated = { ...filter, ...next };
    setFilter(updated);
    setVariables(auditVariables(updated, new Date()));
  }

  const filtered = filter.action !== "" || filter.actorId !== "" || filter.period !== "any";

  return (
    <>
      <h2 className="visually-hidden">Audit log</h2>
      <div className="toolbar">
        <label>
          Action
          <select value={filter.action} onChange={(event) => change({ action: event.target.value })}>
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action.value} value={action.value}>
                {action.label} ({action.value})
              </option>
            ))}
          </select>
        </label>
        <label>
          Who
          <select value={filter.actorId} onChange={(event) => change({ actorId: event.target.value })}>
            <option value="">Anyone</option>
            {people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          When
          <select
            value={filter.period}
            onChange={(event) => {
              const value = event.target.value;
              change({ period: isPeriod(value) ? value : "any" });
            }}
          >
            <option value="any">Any time</option>
            {PERIODS.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="button quiet" onClick={() => change(ANY_AUDIT)}>
            Clear filters
          </button>
        )}
      </div>
      {log.error && <QueryError error={log.error} what="the audit log" />}
      {log.loading ? (
        <p className="muted" role="status">
          Loading the audit log…
        </p>
      ) : (
        <TableWrap label="Audit log">
          <table>
            <caption className="visually-hidden">Audit log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {log.nodes.length === 0 && (
                <tr>
                  <td colSpan={5} className="empty">
                    {filtered ? "Nothing matches these filters." : "Nothing has been recorded yet."}
                  </td>
                </tr>
              )}
              {log.nodes.map((event) => {
                const details = detailsWords(event.details);
                const targetEmail = event.targetType === "user" ? emailOf(event.targetId) : undefined;
                return (
                  <tr key={event.id}>
                    <td className={styles.nowrap}>
                      <When iso={event.createdAt} now={now} />
                    </td>
                    <td className={styles.email}>
                      {event.actor?.email ?? <span className="muted">Nobody signed in</span>}
                    </td>
                    <td>
                      {actionLabel(event.action)}
                      <code className={styles.code}>{event.action}</code>
                    </td>
                    <td className={styles.text}>
                      {event.targetType ? (
                        <>
                          {targetEmail
                            ? `User ${targetEmail}`
                            : `${event.targetType} ${event.targetId ?? ""}`}
                          {details && <span className={styles.small}>{details}</span>}
                        </>
                      ) : (
                        (details ?? <span className="muted">None</span>)
                      )}
                    </td>
                    <td className={styles.origin}>
                      {event.ipAddress ?? <span className="muted">No address</span>}
                      {event.requestId && (
                        <span className={styles.small} title={event.requestId}>
                          Request {event.requestId.slice(0, 12)}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <LoadMore
        hasMore={log.hasMore}
        fetching={log.fetching && !log.loading}
        onLoad={log.loadMore}
        what="events"
      />
    </>
  );
}
