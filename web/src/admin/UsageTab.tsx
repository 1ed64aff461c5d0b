// Usage: questions and tokens of the organisation and of each person, over a chosen period.

import { useState } from "react";
import { useQuery } from "urql";

import { PERIODS, type Period, isPeriod, periodStart } from "./filters";
import { formatCount, formatDateTime } from "./format";
import { UsageQuery } from "./operations";
import { QueryError, TableWrap } from "./parts";
import styles from "./Admin.module.css";

export function UsageTab() {
  const [period, setPeriod] = useState<Period>("month");
  // Computed when the choice changes, not at each render: the variables stay put.
  const [since, setSince] = useState(() => periodStart("month", new Date()));
  const [{ data, error, fetching }] = useQuery({ query: UsageQuery, variables: { since } });
  const usage = data?.usage;

  return (
    <>
      <h2 className="visually-hidden">Usage</h2>
      <div className="toolbar">
        <label>
          Period
          <select
            value={period}
            onChange={(event) => {
              const value = event.target.value;
              if (!isPeriod(value)) return;
              setPeriod(value);
              setSince(periodStart(value, new Date()));
            }}
          >
            {PERIODS.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <QueryError error={error} what="usage" />}
      {!usage && fetching && (
        <p className="muted" role="status">
          Loading usage…
        </p>
      )}
      {usage && (
        <>
          <h3 className={styles.sectionTitle}>Organisation</h3>
          <p className="muted">Since {formatDateTime(usage.since)}</p>
          <dl className={styles.figures}>
            <Figure label="Questions" value={usage.questions} />
            <Figure label="Tokens sent" value={usage.promptTokens} />
            <Figure label="Tokens written" value={usage.completionTokens} />
            <Figure label="Tokens in all" value={usage.promptTokens + usage.completionTokens} />
          </dl>
          <h3 className={styles.sectionTitle}>Per person</h3>
          <TableWrap label="Usage per person">
            <table>
              <caption className="visually-hidden">Usage per person, most tokens first</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col" className={styles.number}>
                    Questions
                  </th>
                  <th scope="col" className={styles.number}>
                    Tokens sent
                  </th>
                  <th scope="col" className={styles.number}>
                    Tokens written
                  </th>
                  <th scope="col" className={styles.number}>
                    Tokens in all
                  </th>
                </tr>
              </thead>
              <tbody>
                {usage.users.length === 0 && (
                  <tr>
                    <td colSpan={5} className="empty">
                      Nobody asked a question in this period.
                    </td>
                  </tr>
                )}
                {usage.users.map((row, index) => (
                  <tr key={row.user?.id ?? `gone-${index}`}>
                    <td className={styles.email}>{row.user?.email ?? "A removed user"}</td>
                    <td className={styles.number}>{formatCount(row.questions)}</td>
                    <td className={styles.number}>{formatCount(row.promptTokens)}</td>
                    <td className={styles.number}>{formatCount(row.completionTokens)}</td>
                    <td className={styles.number}>{formatCount(row.promptTokens + row.completionTokens)}</td>
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

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <div className={styles.figure}>
      <dt>{label}</dt>
      <dd>{formatCount(value)}</dd>
    </div>
  );
}
