// The sign-in page's steps: the email first ("Continue"), then the ways that email's
// organisation signs in (its company provider, its password, or both), and back to change it.

import type { CombinedError } from "urql";

import type { ResultOf } from "../graphql";
import type { SignInMethodsQuery } from "../session/operations";
import { UNREACHABLE, errorWords } from "../ui/errors";

export type SignInMethods = ResultOf<typeof SignInMethodsQuery>["signInMethods"];

export type Step =
  | { kind: "email"; email: string; problem: string | null }
  | { kind: "checking"; email: string }
  | { kind: "methods"; email: string; methods: SignInMethods };

export type StepEvent =
  | { type: "continue"; email: string }
  | { type: "answered"; email: string; outcome: MethodsOutcome }
  | { type: "changeEmail" };

export type MethodsOutcome = { ok: true; methods: SignInMethods } | { ok: false; problem: string };

export function firstStep(problem: string | null = null): Step {
  return { kind: "email", email: "", problem };
}

export function nextStep(step: Step, event: StepEvent): Step {
  switch (event.type) {
    case "continue":
      return step.kind === "email" ? { kind: "checking", email: event.email.trim() } : step;
    case "answered":
      // Only the answer for the email being checked: an earlier one may arrive late.
      if (step.kind !== "checking" || step.email !== event.email) return step;
      return event.outcome.ok
        ? { kind: "methods", email: step.email, methods: event.outcome.methods }
        : { kind: "email", email: step.email, problem: event.outcome.problem };
    case "changeEmail":
      return step.kind === "methods" ? { kind: "email", email: step.email, problem: null } : step;
  }
}

/** The answer of `signInMethods` as the page uses it. */
export function methodsOutcome(result: {
  data?: ResultOf<typeof SignInMethodsQuery>;
  error?: CombinedError;
}): MethodsOutcome {
  if (result.data) return { ok: true, methods: result.data.signInMethods };
  return { ok: false, problem: result.error ? errorWords(result.error) : UNREACHABLE };
}

/** A refusal of `login` or `signUp` in words, with the wait when there is one. */
export function refusal(result: { message: string; retryAfterSeconds?: number }): string {
  return result.retryAfterSeconds
    ? `${result.message} Try again in ${result.retryAfterSeconds} s.`
    : result.message;
}
