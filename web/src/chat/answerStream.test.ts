import { describe, expect, it } from "vitest";

import {
  type AnswerEvent,
  type ChatAction,
  type ChatStream,
  type Citation,
  type Message,
  INTERRUPTED,
  chatReducer,
  initialChat,
  refusedQuestion,
  streamingAnswer,
  turnsOf,
} from "./answerStream";

const citation: Citation = {
  number: 1,
  snippet: "Trains are booked in second class.",
  page: 2,
  document: { id: "d1", title: "Travel policy", contentType: "application/pdf" },
};

function message(id: string, role: "USER" | "ASSISTANT", text: string, citations: Citation[] = []): Message {
  return {
    id,
    role,
    text,
    createdAt: "2026-12-03T10:00:00Z",
    generator: role === "ASSISTANT" ? "extractive" : "",
    fallbackReason: null,
    rating: null,
    ratingComment: null,
    citations,
  };
}

const delta = (text: string, conversationId = "c9"): AnswerEvent => ({
  __typename: "AnswerDelta",
  text,
  conversationId,
});
const doneEvent = (reply: Message, conversationId = "c1"): AnswerEvent => ({
  __typename: "AnswerDone",
  reply,
  conversation: { id: conversationId, title: "How do I travel?", createdAt: "2026-12-03T10:00:00Z" },
});

function run(actions: ChatAction[], start: ChatStream = initialChat(null)): ChatStream {
  return actions.reduce(chatReducer, start);
}

const asked: ChatAction = { type: "asked", key: "a", question: "How do I travel?" };
const event = (e: AnswerEvent): ChatAction => ({ type: "event", key: "a", event: e });

describe("an answer stream", () => {
  it("appends deltas in order while it streams", () => {
    const state = run([
      asked,
      event(delta("Trains ")),
      event(delta("in second ")),
      event(delta("class [1].")),
    ]);
    expect(state.answers[0]).toMatchObject({ status: "streaming", text: "Trains in second class [1]." });
    expect(streamingAnswer(state)?.key).toBe("a");
  });

  it("attaches the citations when they come", () => {
    const state = run([
      asked,
      event(delta("Trains [1].")),
      event({ __typename: "AnswerCitations", citations: [citation] }),
    ]);
    expect(state.answers[0]?.citations).toEqual([citation]);
    expect(state.answers[0]?.status).toBe("streaming");
  });

  it("is finalised by AnswerDone with the stored reply and the new conversation's id", () => {
    const reply = message("m2", "ASSISTANT", "Trains in second class [1].", [citation]);
    const state = run([asked, event(delta("Trains")), event(doneEvent(reply, "c9"))]);
    expect(state.answers[0]).toMatchObject({
      status: "done",
      reply,
      text: reply.text,
      citations: [citation],
    });
    expect(state.conversationId).toBe("c9");
    expect(streamingAnswer(state)).toBeUndefined();
  });

  it("keeps the conversation it continues on a follow-up", () => {
    const reply = message("m4", "ASSISTANT", "Yes.");
    const state = run([asked, event(delta("Yes.", "c1")), event(doneEvent(reply, "c1"))], initialChat("c1"));
    expect(state.conversationId).toBe("c1");
  });

  it("joins the conversation a first question started, even when it is stopped at its first words", () => {
    const stopped = run([asked, event(delta("Trains", "c7")), { type: "stopped", key: "a" }]);
    expect(stopped.conversationId).toBe("c7");
    const followUp = chatReducer(stopped, { type: "asked", key: "b", question: "And flights?" });
    expect(followUp.answers.map((answer) => answer.status)).toEqual(["stopped", "streaming"]);
  });

  it("fails with the server's words when an error follows some text", () => {
    const state = run([
      asked,
      event(delta("Trains")),
      event({ __typename: "AnswerError", code: "LLM_TIMEOUT", message: "The model took too long." }),
    ]);
    expect(state.answers[0]).toMatchObject({
      status: "failed",
      text: "Trains",
      problem: { code: "LLM_TIMEOUT", message: "The model took too long." },
    });
  });

  it("is refused, with the wait in words, when a limit answers before any text", () => {
    const state = run([
      asked,
      event({
        __typename: "AnswerError",
        code: "RATE_LIMITED",
        message: "Too many attempts; try again in 30 seconds.",
      }),
    ]);
    expect(state.answers[0]).toMatchObject({
      status: "refused",
      problem: { message: "Too many attempts; try again in 30 seconds." },
    });
  });

  it("drops a refusal when the next question is asked", () => {
    const refused = run(
      [asked, event({ __typename: "AnswerError", code: "BUDGET_EXCEEDED", message: "Spent." })],
      initialChat("c1"),
    );
    const state = chatReducer(refused, { type: "asked", key: "b", question: "Again?" });
    expect(state.answers.map((answer) => answer.key)).toEqual(["b"]);
  });

  it("gives a refused question back, whatever refused it, and nothing else", () => {
    for (const code of ["RATE_LIMITED", "BUDGET_EXCEEDED", "INVALID_INPUT"]) {
      const state = run([asked, event({ __typename: "AnswerError", code, message: "No." })]);
      expect(refusedQuestion(state)).toEqual({ key: "a", question: "How do I travel?" });
    }
    const failed = run([
      asked,
      event(delta("Trains")),
      event({ __typename: "AnswerError", code: "RATE_LIMITED", message: "No." }),
    ]);
    expect(refusedQuestion(failed)).toBeUndefined();
    expect(refusedQuestion(run([asked]))).toBeUndefined();
  });

  it("keeps a stopped answer when the conversation goes on", () => {
    const state = run(
      [asked, { type: "stopped", key: "a" }, { type: "asked", key: "b", question: "Again?" }],
      initialChat("c1"),
    );
    expect(state.answers.map((answer) => answer.key)).toEqual(["a", "b"]);
  });

  it("starts afresh outside a conversation: a stopped first question started one of its own", () => {
    const state = run([
      asked,
      { type: "stopped", key: "a" },
      { type: "asked", key: "b", question: "Again?" },
    ]);
    expect(state.answers.map((answer) => answer.key)).toEqual(["b"]);
  });

  it("keeps the partial answer after Stop, and ignores what still arrives", () => {
    const state = run([
      asked,
      event(delta("Trains ")),
      { type: "stopped", key: "a" },
      event(delta("in second class.")),
      { type: "ended", key: "a" },
    ]);
    expect(state.answers[0]).toMatchObject({ status: "stopped", text: "Trains ", problem: null });
  });

  it("says it was interrupted when the stream ends without AnswerDone", () => {
    const state = run([asked, event(delta("Trains ")), { type: "ended", key: "a" }]);
    expect(state.answers[0]).toMatchObject({
      status: "interrupted",
      text: "Trains ",
      problem: { code: "INTERRUPTED", message: INTERRUPTED },
    });
  });

  it("says it was interrupted, and why, when the subscription errs", () => {
    const state = run([asked, { type: "broken", key: "a", message: "Socket closed." }]);
    expect(state.answers[0]?.status).toBe("interrupted");
    expect(state.answers[0]?.problem?.message).toBe(`${INTERRUPTED} Socket closed.`);
  });

  it("is not changed by the end of a stream that finished", () => {
    const reply = message("m2", "ASSISTANT", "Done.");
    const state = run([asked, event(doneEvent(reply)), { type: "ended", key: "a" }]);
    expect(state.answers[0]?.status).toBe("done");
  });

  it("forgets its answers when another conversation is opened, but not when its own is", () => {
    const state = run([asked], initialChat("c1"));
    expect(chatReducer(state, { type: "opened", conversationId: "c1" })).toBe(state);
    expect(chatReducer(state, { type: "opened", conversationId: "c2" })).toEqual(initialChat("c2"));
  });
});

describe("the turns of a conversation", () => {
  const q1 = message("m1", "USER", "How do I travel?");
  const a1 = message("m2", "ASSISTANT", "By train [1].", [citation]);
  const q2 = message("m3", "USER", "And abroad?");

  it("pairs stored questions with their replies", () => {
    const turns = turnsOf([q1, a1], []);
    expect(turns).toEqual([{ key: "m1", question: "How do I travel?", kind: "saved", reply: a1 }]);
  });

  it("shows a live answer after the stored turns until its reply is stored", () => {
    const live = run([{ type: "asked", key: "k", question: "And abroad?" }], initialChat("c1")).answers;
    const turns = turnsOf([q1, a1], live);
    expect(turns.map((turn) => turn.kind)).toEqual(["saved", "live"]);
    const reply = message("m4", "ASSISTANT", "By plane.");
    const finished = run(
      [
        { type: "asked", key: "k", question: "And abroad?" },
        { type: "event", key: "k", event: doneEvent(reply, "c1") },
      ],
      initialChat("c1"),
    ).answers;
    expect(turnsOf([q1, a1, q2, reply], finished).map((turn) => turn.kind)).toEqual(["saved", "saved"]);
  });

  it("keeps a stopped partial answer in its place once its question is stored", () => {
    const stopped = run([
      { type: "asked", key: "k", question: "And abroad?" },
      { type: "event", key: "k", event: delta("By") },
      { type: "stopped", key: "k" },
    ]).answers;
    const a3 = message("m6", "ASSISTANT", "Yes.");
    const turns = turnsOf([q1, a1, q2, message("m5", "USER", "Really?"), a3], stopped);
    expect(turns.map((turn) => turn.kind)).toEqual(["saved", "live", "saved"]);
    expect(turns[1]).toMatchObject({ question: "And abroad?", answer: { text: "By", status: "stopped" } });
  });

  it("marks a stored question without a reply the page never saw as unanswered", () => {
    expect(turnsOf([q1, a1, q2], []).map((turn) => turn.kind)).toEqual(["saved", "unanswered"]);
  });
});
