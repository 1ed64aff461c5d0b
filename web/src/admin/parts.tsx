// Small pieces every admin tab uses.

import { type ReactNode, useEffect, useState } from "react";
import type { CombinedError } from "urql";

import { errorWords } from "../ui/errors";
import { formatDateTime, relativeTime } from "./format";
import styles from "./Admin.module.css";

/** A moment in words ("3 minutes ago"), the exact time on hover and for machines. */
export function When({ iso, now }: { iso: string; now: Date }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

export function QueryError({ error, what }: { error: CombinedError; what: string }) {
  return (
    <p className="error" role="alert">
      Could not load {what}: {errorWords(error)}
    </p>
  );
}

export function LoadMore({
  hasMore,
  fetching,
  onLoad,
  what,
}: {
  hasMore: boolean;
  fetching: boolean;
  onLoad: () => void;
  what: string;
}) {
  if (fetching)
    return (
      <p className={styles.more} role="status">
        Loading {what}…
      </p>
    );
  if (!hasMore) return null;
  return (
    <p className={styles.more}>
      <button type="button" className="button" onClick={onLoad}>
        Load more
      </button>
    </p>
  );
}

/** The time now, moving on every half minute so "3 minutes ago" stays right. */
export function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A table's scrolling box. On a small screen it scrolls sideways, so a keyboard must be able to
 * reach it: it is a named, focusable region (tables with their own controls need not be).
 */
export function TableWrap({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={className ? `table-wrap ${className}` : "table-wrap"}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      {children}
    </div>
  );
}
