// The caller's conversations, newest first, a page at a time.

import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";

import styles from "./Chat.module.css";
import { ConversationsQuery } from "./operations";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function ConversationList({ activeId, onPick }: { activeId: string | null; onPick: () => void }) {
  // One cursor per loaded page; each page is its own query, so a new conversation only
  // refreshes the first.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <ul className={styles.conversations}>
      {cursors.map((after, index) => (
        <ConversationPage
          key={after ?? "first"}
          after={after}
          last={index === cursors.length - 1}
          activeId={activeId}
          onPick={onPick}
          onMore={(cursor) => setCursors((loaded) => [...loaded, cursor])}
        />
      ))}
    </ul>
  );
}

function ConversationPage({
  after,
  last,
  activeId,
  onPick,
  onMore,
}: {
  after: string | null;
  last: boolean;
  activeId: string | null;
  onPick: () => void;
  onMore: (cursor: string) => void;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConversationsQuery,
    variables: { after },
  });
  // A failed refetch (offline) keeps the page that was shown.
  const [lastPage, setLastPage] = useState(data?.conversations);
  if (data?.conversations && data.conversations !== lastPage) setLastPage(data.conversations);
  const page = data?.conversations ?? lastPage;
  if (!page) {
    if (error)
      return (
        <li className={styles.listNote}>
          <span className="error">The conversations could not be loaded.</span>{" "}
          <button type="button" className="link" onClick={() => reexecute({ requestPolicy: "network-only" })}>
            Try again
          </button>
        </li>
      );
    return fetching ? <li className={styles.listNote}>Loading…</li> : null;
  }
  return (
    <>
      {after === null && page.nodes.length === 0 && (
        <li className={styles.listNote}>No conversations yet.</li>
      )}
      {page.nodes.map((conversation) => (
        <li key={conversation.id}>
          <Link
            to={`/chat/${conversation.id}`}
            className={styles.conversationLink}
            aria-current={conversation.id === activeId ? "page" : undefined}
            onClick={onPick}
          >
            <span className={styles.conversationTitle}>{conversation.title}</span>
            <span className={styles.conversationDate}>
              {dateFormat.format(new Date(conversation.createdAt))}
            </span>
          </Link>
        </li>
      ))}
      {last && page.pageInfo.hasNextPage && page.pageInfo.endCursor && (
        <li className={styles.listNote}>
          <button type="button" className="button" onClick={() => onMore(page.pageInfo.endCursor!)}>
            Load more
          </button>
        </li>
      )}
    </>
  );
}
