// The conversation's title, and "Rename" for a stored conversation.

import { type FormEvent, type KeyboardEvent, useRef, useState } from "react";
import { useMutation } from "urql";

import styles from "./Chat.module.css";
import { RenameConversationMutation } from "./operations";

export function ConversationHeading({ id, title }: { id: string | null; title: string }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, rename] = useMutation(RenameConversationMutation);
  const renameButton = useRef<HTMLButtonElement>(null);

  function close() {
    setEditing(false);
    setError(null);
    // Focus goes back where it was, not to the top of the page.
    requestAnimationFrame(() => renameButton.current?.focus());
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (id === null) return;
    const next = String(new FormData(event.currentTarget).get("title") ?? "");
    // The mutation's Conversation result refreshes the list and this heading (urql's cache).
    const result = await rename({ id, title: next });
    const payload = result.data?.renameConversation;
    if (payload?.__typename === "Conversation") close();
    else
      setError(
        payload && "message" in payload ? payload.message : "The title could not be saved. Try again.",
      );
  }

  function keyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") close();
  }

  return (
    <div className={styles.heading}>
      <div className={styles.headingRow}>
        <h1 id="conversation-title" className={styles.threadTitle}>
          {title}
        </h1>
        {id !== null && !editing && (
          <button ref={renameButton} type="button" className="button quiet" onClick={() => setEditing(true)}>
            Rename
          </button>
        )}
      </div>
      {editing && (
        <form className={styles.rename} onSubmit={(event) => void submit(event)} onKeyDown={keyDown}>
          <label>
            Conversation title
            <input name="title" defaultValue={title} maxLength={200} required autoFocus />
          </label>
          <div className={styles.commentActions}>
            <button type="submit" className="button primary" disabled={fetching}>
              Save
            </button>
            <button type="button" className="button quiet" onClick={close}>
              Cancel
            </button>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}
