// The scenario both client scripts run, its GraphQL operations and its checks.
// urql.mjs and apollo.mjs only wire their own client into `connect(token)`, which returns
//   { mutate(document, variables) -> Promise<data>,         over HTTP (multipart when a File is in the variables)
//     subscribe(document, variables, observer) -> stop(),   over graphql-transport-ws
//     close() }
// so the same steps and assertions hold each client to the same contract.

import { randomUUID } from "node:crypto";

const BEACON_URL = process.env.BEACON_URL;
if (!BEACON_URL) {
  console.error("Set BEACON_URL to a running `beacon serve`, e.g. BEACON_URL=http://127.0.0.1:8000");
  process.exit(2);
}
export const HTTP_URL = new URL("/graphql", BEACON_URL).href;
export const WS_URL = HTTP_URL.replace(/^http/, "ws");

const REQUEST_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
const ANSWER_TIMEOUT_MS = 60_000;
// Below the 240 s the pytest allows, so a hang ends with our message rather than a kill.
const RUN_TIMEOUT_MS = 220_000;

// Beacon refuses multipart requests without this header (CSRF protection: it forces a preflight).
export const PREFLIGHT_HEADERS = { "apollo-require-preflight": "true" };

export const SIGN_UP = `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      __typename
      ... on AuthPayload { accessToken }
      ... on Error { code message }
    }
  }`;

export const UPLOAD = `
  mutation Upload($input: UploadDocumentInput!) {
    uploadDocument(input: $input) {
      __typename
      ... on UploadDocumentSuccess { duplicate document { id status } }
      ... on Error { code message }
    }
  }`;

export const DOCUMENT_EVENTS = `
  subscription DocumentEvents($id: ID!) {
    documentEvents(id: $id) { id status progress failure { code message } }
  }`;

export const ANSWER = `
  subscription Answer($input: AskInput!) {
    answer(input: $input) {
      __typename
      ... on AnswerDelta { text }
      ... on AnswerCitations { citations { snippet page start end document { id title } } }
      ... on AnswerDone { reply { id text } conversation { id } }
      ... on AnswerError { code message }
    }
  }`;

export const ASK = `
  mutation Ask($input: AskInput!) {
    ask(input: $input) {
      __typename
      ... on Answer { text citations { snippet } reply { id } conversation { id } }
      ... on Error { code message }
    }
  }`;

const DOCUMENT_TEXT =
  "# Travel expenses\n\n" +
  "Travel expenses are reimbursed within 30 days. " +
  "Receipts are required for every expense over 25 euros.\n";
const QUESTION = "Are receipts required for travel expenses?";
const FOLLOW_UP = "And within how many days are they reimbursed?";

/** A readable sentence for anything a client may throw or hand to an error callback. */
export function describe(error) {
  if (Array.isArray(error)) return error.map(describe).join("; ");
  // graphql-ws reports a closed socket as a CloseEvent, which is not an Error.
  if (error && typeof error === "object" && "code" in error && "reason" in error && !(error instanceof Error)) {
    return `websocket closed with code ${error.code} ${error.reason || ""}`.trim();
  }
  if (error instanceof Error || (error && typeof error.message === "string")) {
    // fetch hides why it failed (ECONNREFUSED, ...) in `cause`.
    const cause = error.cause ? ` (${error.cause.code ?? describe(error.cause)})` : "";
    return error.message + cause;
  }
  return String(error);
}

/** ["AnswerDelta", "AnswerDelta", "AnswerDone"] -> "2 x AnswerDelta, AnswerDone" */
function summary(kinds) {
  const runs = [];
  for (const kind of kinds) {
    if (runs.at(-1)?.kind === kind) runs.at(-1).count += 1;
    else runs.push({ kind, count: 1 });
  }
  return runs.map(({ kind, count }) => (count > 1 ? `${count} x ${kind}` : kind)).join(", ");
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Fails when a union result is not the expected member, quoting the Error member if it is one. */
function expectMember(result, typename, what) {
  check(result, `${what}: no result`);
  check(
    result.__typename === typename,
    `${what} returned ${result.__typename}` + (result.code ? `: ${result.code} ${result.message}` : ""),
  );
  return result;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout])
    .catch((error) => {
      throw new Error(`${what}: ${describe(error)}`);
    })
    .finally(() => clearTimeout(timer));
}

/**
 * Collects a subscription's payloads until `isLast` says so or the server completes it;
 * rejects on an error or after `ms`. Always unsubscribes, so no socket is left waiting.
 */
function collect(api, document, variables, { what, ms, isLast }) {
  return new Promise((resolve, reject) => {
    const items = [];
    let settled = false;
    let stop = null;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.();
      if (error) reject(new Error(`${what}: ${describe(error)}`));
      else resolve(items);
    };
    const timer = setTimeout(
      () => finish(`nothing final after ${ms / 1000} s (${items.length} events: ${JSON.stringify(items)})`),
      ms,
    );
    stop = api.subscribe(document, variables, {
      next(data) {
        items.push(data);
        if (isLast(data)) finish();
      },
      error: finish,
      complete: () => finish(),
    });
    if (settled) stop(); // it finished while we were still subscribing
  });
}

async function signUp(api) {
  const data = await withTimeout(
    api.mutate(SIGN_UP, {
      input: {
        organizationName: "Node client check",
        email: `client-${randomUUID()}@example.com`,
        password: "correct horse battery staple",
      },
    }),
    REQUEST_TIMEOUT_MS,
    "signUp",
  );
  return expectMember(data.signUp, "AuthPayload", "signUp").accessToken;
}

/** Uploads the travel policy as a multipart request and follows documentEvents to READY. */
export async function uploadAndWaitReady(api, log) {
  const file = new File([DOCUMENT_TEXT], "travel-expenses.md", { type: "text/markdown" });
  const data = await withTimeout(api.mutate(UPLOAD, { input: { file } }), REQUEST_TIMEOUT_MS, "uploadDocument");
  const { document } = expectMember(data.uploadDocument, "UploadDocumentSuccess", "uploadDocument");
  log(`uploaded document ${document.id} (${document.status})`);

  const events = await collect(api, DOCUMENT_EVENTS, { id: document.id }, {
    what: "documentEvents",
    ms: READY_TIMEOUT_MS,
    isLast: (data) => ["READY", "FAILED"].includes(data.documentEvents.status),
  });
  const last = events.at(-1)?.documentEvents;
  check(last, "documentEvents ended without any event");
  check(last.status !== "FAILED", `document FAILED: ${last.failure?.code} ${last.failure?.message}`);
  check(last.status === "READY", `documentEvents ended at ${last.status}, not READY`);
  log(`document READY after ${events.length} events`);
  return document.id;
}

/** Streams an answer and checks the contract: deltas first, text = deltas, a citation of our document. */
export async function streamAnswer(api, documentId, log) {
  const data = await collect(api, ANSWER, { input: { question: QUESTION } }, {
    what: "answer",
    ms: ANSWER_TIMEOUT_MS,
    isLast: (data) => ["AnswerDone", "AnswerError"].includes(data.answer.__typename),
  });
  const events = data.map((item) => item.answer);
  const kinds = events.map((event) => event.__typename);
  log(`answer events: ${summary(kinds)}`);

  const error = events.find((event) => event.__typename === "AnswerError");
  check(!error, `answer sent AnswerError: ${error?.code} ${error?.message}`);
  const doneAt = kinds.indexOf("AnswerDone");
  check(doneAt >= 0, "answer ended without AnswerDone");
  const firstDeltaAt = kinds.indexOf("AnswerDelta");
  check(firstDeltaAt >= 0 && firstDeltaAt < doneAt, "no AnswerDelta arrived before AnswerDone");

  const done = events[doneAt];
  const streamed = events
    .slice(0, doneAt)
    .filter((event) => event.__typename === "AnswerDelta")
    .map((event) => event.text)
    .join("");
  check(
    streamed === done.reply.text,
    `the deltas do not add up to reply.text:\n  deltas: ${JSON.stringify(streamed)}\n  reply:  ${JSON.stringify(done.reply.text)}`,
  );
  const citations = events.filter((event) => event.__typename === "AnswerCitations").flatMap((event) => event.citations);
  check(
    citations.some((citation) => citation.document.id === documentId),
    `no citation of document ${documentId}: ${JSON.stringify(citations)}`,
  );
  log(`answer: ${JSON.stringify(done.reply.text)} (${citations.length} citations)`);
  return done;
}

/** A follow-up question with `ask` in the same conversation. */
export async function askFollowUp(api, conversationId, log) {
  const data = await withTimeout(
    api.mutate(ASK, { input: { question: FOLLOW_UP, conversationId } }),
    REQUEST_TIMEOUT_MS,
    "ask",
  );
  const answer = expectMember(data.ask, "Answer", "ask");
  check(
    answer.conversation.id === conversationId,
    `ask answered in conversation ${answer.conversation.id}, not ${conversationId}`,
  );
  log(`follow-up: ${JSON.stringify(answer.text)}`);
}

/** Runs the whole scenario with one client library; sets the exit code and closes every socket. */
export async function run(name, connect) {
  const log = (message) => console.log(`[${name}] ${message}`);
  const watchdog = setTimeout(() => {
    console.error(`[${name}] FAILED: still running after ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  watchdog.unref(); // only a guard: it must not keep a finished process alive

  const sessions = [];
  const open = (token) => {
    const session = connect(token);
    sessions.push(session);
    return session;
  };
  let failed = false;
  try {
    const token = await signUp(open(null));
    log("signed up a new organisation");
    const api = open(token);
    const documentId = await uploadAndWaitReady(api, log);
    const done = await streamAnswer(api, documentId, log);
    await askFollowUp(api, done.conversation.id, log);
    log("OK");
  } catch (error) {
    failed = true;
    console.error(`[${name}] FAILED: ${describe(error)}`);
  } finally {
    await Promise.allSettled(sessions.map((session) => session.close()));
    clearTimeout(watchdog);
  }
  // After a failure a request may still be pending; exit now instead of waiting for it.
  if (failed) process.exit(1);
}
