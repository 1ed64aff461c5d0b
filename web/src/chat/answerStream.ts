// The chat page's answers in flight, as a pure reducer: what each answer shows follows from the
// `answer` subscription's events and the person's actions (ask, stop), and nothing else.

import type { ResultOf } from "../graphql";
import type { AnswerSubscription, CitationFields, MessageFields } from "./operations";

export type AnswerEvent = ResultOf<typeof AnswerSubscription>["answer"];
export type Citation = ResultOf<typeof CitationFields>;
export type Message = ResultOf<typeof MessageFields>;

/**
 * streaming: deltas are arriving; done: stored with its citations; stopped: the person pressed
 * Stop; interrupted: the stream ended or broke without AnswerDone; failed: AnswerError after the
 * question was taken; refused: AnswerError before it was (a limit, a budget, bad input).
 */
export type AnswerStatus = "streaming" | "done" | "stopped" | "interrupted" | "failed" | "refused";

export interface AnswerProblem {
  code: string;
  message: string;
}

export interface LiveAnswer {
  /** The page's own id for this question (the stream has no id before AnswerDone). */
  key: string;
  question: string;
  status: AnswerStatus;
  text: string;
  citations: Citation[];
  /** The stored answer, once done. */
  reply: Message | null;
  problem: AnswerProblem | null;
}

export interface ChatStream {
  /** The conversation these answers belong to; null until a new one's first delta names it. */
  conversationId: string | null;
  answers: LiveAnswer[];
}

export type ChatAction =
  | { type: "opened"; conversationId: string | null }
  | { type: "asked"; key: string; question: string }
  | { type: "event"; key: string; event: AnswerEvent }
  | { type: "stopped"; key: string }
  | { type: "ended"; key: string }
  | { type: "broken"; key: string; message: string };

// Codes the server answers with before it takes the question: nothing was stored, so the
// question is not part of the conversation.
const REFUSALS = new Set([
  "INVALID_INPUT",
  "RATE_LIMITED",
  "BUDGET_EXCEEDED",
  "NOT_FOUND",
  "CONVERSATION_FULL",
]);

export const INTERRUPTED = "The answer was cut off before it finished.";

export function initialChat(conversationId: string | null): ChatStream {
  return { conversationId, answers: [] };
}

export function chatReducer(state: ChatStream, action: ChatAction): ChatStream {
  switch (action.type) {
    case "opened":
      return action.conversationId === state.conversationId ? state : initialChat(action.conversationId);
    case "asked":
      return {
        ...state,
        // A refusal says why a question was not taken; asking again replaces it. Outside a
        // conversation, every earlier question (stopped or cut off before AnswerDone named its
        // conversation) started a conversation of its own: the new question starts another.
        answers: [
          ...(state.conversationId === null
            ? []
            : state.answers.filter((answer) => answer.status !== "refused")),
          {
            key: action.key,
            question: action.question,
            status: "streaming",
            text: "",
            citations: [],
            reply: null,
            problem: null,
          },
        ],
      };
    case "event": {
      const event = action.event;
      // Every delta names the conversation the question joined: a first question's answer
      // that is stopped or cut off still leaves its conversation for the follow-up to join.
      const joined =
        state.conversationId === null && isStreaming(state, action.key)
          ? event.__typename === "AnswerDelta"
            ? event.conversationId
            : event.__typename === "AnswerDone"
              ? event.conversation.id
              : null
          : null;
      const current = joined === null ? state : { ...state, conversationId: joined };
      return update(current, action.key, (answer) => {
        switch (event.__typename) {
          case "AnswerDelta":
            return { ...answer, text: answer.text + event.text };
          case "AnswerCitations":
            return { ...answer, citations: event.citations };
          case "AnswerDone":
            return done(answer, event.reply);
          case "AnswerError":
            return {
              ...answer,
              status: answer.text === "" && REFUSALS.has(event.code) ? "refused" : "failed",
              problem: { code: event.code, message: event.message },
            };
        }
      });
    }
    case "stopped":
      return update(state, action.key, (answer) => ({ ...answer, status: "stopped" }));
    case "ended":
      return update(state, action.key, (answer) => ({
        ...answer,
        status: "interrupted",
        problem: { code: "INTERRUPTED", message: INTERRUPTED },
      }));
    case "broken":
      return update(state, action.key, (answer) => ({
        ...answer,
        status: "interrupted",
        problem: { code: "INTERRUPTED", message: `${INTERRUPTED} ${action.message}` },
      }));
  }
}

function isStreaming(state: ChatStream, key: string): boolean {
  return state.answers.some((answer) => answer.key === key && answer.status === "streaming");
}

/** Changes only a streaming answer: once an answer is finished, later events are stale. */
function update(state: ChatStream, key: string, change: (answer: LiveAnswer) => LiveAnswer): ChatStream {
  if (!isStreaming(state, key)) return state;
  return {
    ...state,
    answers: state.answers.map((answer) => (answer.key === key ? change(answer) : answer)),
  };
}

function done(answer: LiveAnswer, reply: Message): LiveAnswer {
  // The stored reply is the authority on the text and its citations.
  return { ...answer, status: "done", text: reply.text, citations: reply.citations, reply };
}

export function streamingAnswer(state: ChatStream): LiveAnswer | undefined {
  return state.answers.find((answer) => answer.status === "streaming");
}

/**
 * The question the server refused (a limit, a budget, bad input): nothing of it was kept, so the
 * page gives it back to the composer rather than have the person type it again.
 */
export function refusedQuestion(state: ChatStream): { key: string; question: string } | undefined {
  const refused = state.answers.filter((answer) => answer.status === "refused").at(-1);
  return refused && { key: refused.key, question: refused.question };
}

/** One question and what answers it, in the order the page shows them. */
export type Turn =
  | { key: string; question: string; kind: "saved"; reply: Message }
  | { key: string; question: string; kind: "live"; answer: LiveAnswer }
  | { key: string; question: string; kind: "unanswered" };

/**
 * The stored conversation's turns, with the live answers in their place: a stored reply
 * replaces the live answer that produced it, a stored question without a reply (stopped or cut
 * off) keeps the partial answer the page saw, and answers not stored yet follow at the end.
 */
export function turnsOf(stored: readonly Message[], live: readonly LiveAnswer[]): Turn[] {
  const used = new Set<string>();
  const turns: Turn[] = [];
  let question: Message | null = null;
  const close = (reply: Message | null) => {
    const text = question?.text ?? "";
    const key = question?.id ?? reply?.id ?? String(turns.length);
    if (reply !== null) {
      const producer = live.find((answer) => answer.reply?.id === reply.id);
      if (producer) used.add(producer.key);
      turns.push({ key, question: text, kind: "saved", reply });
    } else {
      const partial = live.find(
        (answer) =>
          !used.has(answer.key) &&
          answer.reply === null &&
          answer.status !== "refused" &&
          answer.question === text,
      );
      if (partial) {
        used.add(partial.key);
        turns.push({ key, question: text, kind: "live", answer: partial });
      } else turns.push({ key, question: text, kind: "unanswered" });
    }
    question = null;
  };
  for (const message of stored) {
    if (message.role === "USER") {
      if (question !== null) close(null);
      question = message;
    } else close(message);
  }
  if (question !== null) close(null);
  for (const answer of live)
    if (!used.has(answer.key))
      turns.push({ key: answer.key, question: answer.question, kind: "live", answer });
  return turns;
}
