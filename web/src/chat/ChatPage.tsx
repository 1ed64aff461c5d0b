// Chat: the conversations on the left, the conversation in the middle, the composer at the
// bottom. Answers stream in through the `answer` subscription; answerStream.ts decides what
// each one shows.

import * as Tooltip from "@radix-ui/react-tooltip";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useClient, useQuery } from "urql";
import { onEnd, pipe, subscribe } from "wonka";

import { useConnectionState } from "../app/beacon";
import { Answer } from "./Answer";
import {
  type Turn,
  chatReducer,
  initialChat,
  refusedQuestion,
  streamingAnswer,
  turnsOf,
} from "./answerStream";
import styles from "./Chat.module.css";
import { Composer } from "./Composer";
import { ConversationHeading } from "./ConversationHeading";
import { ConversationList } from "./ConversationList";
import { Examples } from "./Examples";
import { AnswerSubscription, ConversationQuery, ConversationsQuery } from "./operations";

interface Running {
  key: string;
  unsubscribe: () => void;
}

export function ChatPage() {
  const conversationId = useParams().conversationId ?? null;
  const navigate = useNavigate();
  const client = useClient();
  const connection = useConnectionState();
  const [chat, dispatch] = useReducer(chatReducer, conversationId, initialChat);
  const running = useRef<Running | null>(null);
  const nextKey = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const [listOpen, setListOpen] = useState(false);
  const [status, setStatus] = useState("");
  const [draft, setDraft] = useState("");

  // A refused question was not kept: it goes back into the box (unless the person already typed
  // another), to be sent again once the reason is dealt with.
  const refused = refusedQuestion(chat);
  const [restored, setRestored] = useState<string | null>(null);
  if (refused !== undefined && refused.key !== restored) {
    setRestored(refused.key);
    if (draft.trim() === "") setDraft(refused.question);
  }

  // The address says which conversation is open: another one takes the page's answers with it.
  const [shown, setShown] = useState(conversationId);
  if (shown !== conversationId) {
    setShown(conversationId);
    dispatch({ type: "opened", conversationId });
  }
  // Leaving a conversation (or the page) stops its answer: completing the subscription stops
  // the generation on the server. Keyed on the address, not on chat.conversationId: a first
  // answer's opening delta names its new conversation while it keeps streaming.
  useEffect(
    () => () => {
      running.current?.unsubscribe();
      running.current = null;
    },
    [conversationId],
  );

  const [{ data, fetching, error }] = useQuery({
    query: ConversationQuery,
    variables: { id: conversationId ?? "" },
    pause: conversationId === null,
  });
  // A failed refetch (offline) keeps what was shown.
  const fetched =
    conversationId !== null && data?.conversation?.id === conversationId ? data.conversation : null;
  const [lastFetched, setLastFetched] = useState(fetched);
  if (fetched !== null && fetched !== lastFetched) setLastFetched(fetched);
  const stored = fetched ?? (lastFetched?.id === conversationId ? lastFetched : null);
  const turns = turnsOf(stored?.messages ?? [], chat.answers);
  const current = streamingAnswer(chat);

  // The stored conversation and the list, after an answer ends in any way: a stopped first
  // question started a conversation too.
  const refresh = useCallback(
    (id: string | null) => {
      if (id !== null)
        void client.query(ConversationQuery, { id }, { requestPolicy: "network-only" }).toPromise();
      void client.query(ConversationsQuery, { after: null }, { requestPolicy: "network-only" }).toPromise();
    },
    [client],
  );

  const ask = useCallback(
    (question: string) => {
      if (running.current !== null) return;
      const key = `answer-${nextKey.current++}`;
      const continues = chat.conversationId;
      dispatch({ type: "asked", key, question });
      setStatus("");
      let finished = false;
      const finish = (reachable: boolean) => {
        if (running.current?.key === key) running.current = null;
        // Unreachable: the refresh waits for the connection to come back.
        if (!finished && reachable) refresh(continues);
        finished = true;
      };
      const { unsubscribe } = pipe(
        client.subscription(AnswerSubscription, { question, conversationId: continues }),
        onEnd(() => {
          dispatch({ type: "ended", key });
          finish(true);
        }),
        subscribe((result) => {
          const event = result.data?.answer;
          if (event) {
            dispatch({ type: "event", key, event });
            if (event.__typename === "AnswerDone") {
              finished = true;
              setStatus("The answer is complete.");
              refresh(event.conversation.id);
            }
          } else if (result.error) {
            dispatch({ type: "broken", key, message: result.error.message });
            finish(!result.error.networkError);
          }
        }),
      );
      running.current = { key, unsubscribe };
      window.scrollTo({ top: document.documentElement.scrollHeight });
    },
    [chat.conversationId, client, refresh],
  );

  const stop = useCallback(() => {
    const active = running.current;
    if (active === null) return;
    dispatch({ type: "stopped", key: active.key });
    running.current = null;
    active.unsubscribe();
    setStatus("The answer was stopped.");
    refresh(chat.conversationId);
    input.current?.focus();
  }, [chat.conversationId, refresh]);

  // graphql-ws subscribes again after a reconnection, which would ask the question twice: a
  // lost socket ends the answer instead, and Retry asks again.
  // Back online, the list and the conversation catch up with what the server kept.
  const previousConnection = useRef(connection);
  useEffect(() => {
    const before = previousConnection.current;
    previousConnection.current = connection;
    if (connection === "online") {
      if (before === "offline") refresh(chat.conversationId);
      return;
    }
    if (running.current === null) return;
    const active = running.current;
    running.current = null;
    // Before unsubscribing: unsubscribe() runs onEnd, whose plain "ended" would hide the reason.
    dispatch({ type: "broken", key: active.key, message: "The connection to Beacon was lost." });
    active.unsubscribe();
    // Only a change of connection runs this, not a new conversation.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [connection]);

  // A new conversation gets its address once its first answer ends, however it ends: a reload
  // then finds it, and the follow-up joins it.
  const answering = current !== undefined;
  useEffect(() => {
    if (conversationId === null && chat.conversationId !== null && !answering)
      navigate(`/chat/${chat.conversationId}`, { replace: true });
  }, [answering, chat.conversationId, conversationId, navigate]);

  // Follow the answer as it grows, unless the reader scrolled up.
  const length = current?.text.length ?? 0;
  useEffect(() => {
    const root = document.documentElement;
    if (length > 0 && root.scrollHeight - (window.scrollY + window.innerHeight) < 160)
      window.scrollTo({ top: root.scrollHeight });
  }, [length]);

  const newConversation = () => {
    setListOpen(false);
    navigate("/chat");
    input.current?.focus();
  };

  const missing = conversationId !== null && data !== undefined && data.conversation === null && !fetching;
  const title = stored?.title ?? (conversationId === null ? "New conversation" : "Conversation");

  return (
    <Tooltip.Provider delayDuration={200}>
      <div className={styles.chat}>
        <aside className={styles.sidebar} aria-labelledby="conversations-heading">
          <div className={styles.sidebarHead}>
            <h2 id="conversations-heading" className={styles.sidebarTitle}>
              Conversations
            </h2>
            <button
              type="button"
              className={`button ${styles.listToggle}`}
              aria-expanded={listOpen}
              aria-controls="conversation-list"
              onClick={() => setListOpen((open) => !open)}
            >
              Conversations
            </button>
            <button type="button" className="button primary" onClick={newConversation}>
              New conversation
            </button>
          </div>
          <nav
            id="conversation-list"
            aria-label="Conversations"
            className={`${styles.listPanel} ${listOpen ? styles.listOpen : ""}`}
          >
            <ConversationList activeId={conversationId} onPick={() => setListOpen(false)} />
          </nav>
        </aside>
        <section className={styles.thread} aria-labelledby="conversation-title">
          <ConversationHeading id={stored ? conversationId : null} title={title} />
          <div className={styles.messages}>
            {missing ? (
              <p className="notice">
                This conversation does not exist, or is not yours. Start a new one below.
              </p>
            ) : error && !stored ? (
              <p className="error" role="alert">
                The conversation could not be loaded. Check your connection and reload the page.
              </p>
            ) : conversationId !== null && !stored && fetching ? (
              <p className="muted">Loading the conversation…</p>
            ) : turns.length === 0 && conversationId === null ? (
              <Examples onAsk={ask} />
            ) : (
              <ol className={styles.turns}>
                {turns.map((turn) => (
                  <TurnView key={turn.key} turn={turn} onRetry={current ? undefined : ask} />
                ))}
              </ol>
            )}
          </div>
          <p className="visually-hidden" role="status">
            {status}
          </p>
          <Composer
            question={draft}
            setQuestion={setDraft}
            streaming={current !== undefined}
            onAsk={ask}
            onStop={stop}
            inputRef={input}
          />
        </section>
      </div>
    </Tooltip.Provider>
  );
}

function TurnView({ turn, onRetry }: { turn: Turn; onRetry: ((question: string) => void) | undefined }) {
  return (
    <li className={styles.turn}>
      <div className={styles.question}>
        <span className="visually-hidden">You asked: </span>
        {turn.question}
      </div>
      {turn.kind === "saved" && (
        <Answer
          text={turn.reply.text}
          citations={turn.reply.citations}
          status="done"
          problem={null}
          reply={turn.reply}
        />
      )}
      {turn.kind === "live" && (
        <Answer
          text={turn.answer.text}
          citations={turn.answer.citations}
          status={turn.answer.status}
          problem={turn.answer.problem?.message ?? null}
          reply={turn.answer.reply}
          onRetry={onRetry && (() => onRetry(turn.question))}
        />
      )}
      {turn.kind === "unanswered" && (
        <p className={styles.note}>No answer was saved for this question: it was stopped or cut off.</p>
      )}
    </li>
  );
}
