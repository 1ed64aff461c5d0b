// "Ask a question": Enter sends, Shift+Enter makes a new line; "Stop" replaces "Ask" while an
// answer streams. The page holds the draft, so that it can give a refused question back.

import type { FormEvent, KeyboardEvent, RefObject } from "react";

import styles from "./Chat.module.css";

const MAX_QUESTION = 2000;

export function Composer({
  question,
  setQuestion,
  streaming,
  onAsk,
  onStop,
  inputRef,
}: {
  question: string;
  setQuestion: (question: string) => void;
  streaming: boolean;
  onAsk: (question: string) => void;
  onStop: () => void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}) {
  function send() {
    const trimmed = question.trim();
    if (streaming || trimmed === "") return;
    onAsk(trimmed);
    setQuestion("");
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send();
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Not while an input method composes a character: its Enter confirms the character.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  return (
    <form className={styles.composer} onSubmit={submit}>
      <label htmlFor="question" className="visually-hidden">
        Ask a question
      </label>
      <textarea
        id="question"
        ref={inputRef}
        className={styles.questionInput}
        rows={2}
        maxLength={MAX_QUESTION}
        placeholder="Ask a question about your documents"
        aria-describedby="question-hint"
        value={question}
        onChange={(event) => setQuestion(event.target.value)}
        onKeyDown={keyDown}
      />
      <p id="question-hint" className="visually-hidden">
        Enter sends; Shift+Enter starts a new line.
      </p>
      {/* One button that changes role, so that focus stays on it when Ask becomes Stop. */}
      <button
        type={streaming ? "button" : "submit"}
        className={streaming ? "button danger" : "button primary"}
        onClick={streaming ? onStop : undefined}
      >
        {streaming ? "Stop" : "Ask"}
      </button>
    </form>
  );
}
