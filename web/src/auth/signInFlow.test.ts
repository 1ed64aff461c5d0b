import { CombinedError } from "@urql/core";
import { describe, expect, it } from "vitest";

import { type SignInMethods, type Step, firstStep, methodsOutcome, nextStep, refusal } from "./signInFlow";

const ACME: SignInMethods = {
  password: true,
  provider: { name: "Acme SSO", startUrl: "/auth/oidc/start?email=ada%40acme.test" },
};
const PASSWORD_ONLY: SignInMethods = { password: true, provider: null };

/** The steps after the person types an email and presses "Continue", and Beacon answers. */
function continued(email: string, methods: SignInMethods): Step {
  const checking = nextStep(firstStep(), { type: "continue", email });
  return nextStep(checking, { type: "answered", email: email.trim(), outcome: { ok: true, methods } });
}

describe("the sign-in steps", () => {
  it("start with the email alone", () => {
    expect(firstStep()).toEqual({ kind: "email", email: "", problem: null });
  });

  it("start with the failure a company sign-in came back with", () => {
    expect(firstStep("Start again.")).toEqual({ kind: "email", email: "", problem: "Start again." });
  });

  it("check the email on Continue, without its surrounding spaces", () => {
    expect(nextStep(firstStep("old failure"), { type: "continue", email: " ada@acme.test " })).toEqual({
      kind: "checking",
      email: "ada@acme.test",
    });
  });

  it("offer the organisation's provider and its password when both are open", () => {
    expect(continued("ada@acme.test", ACME)).toEqual({
      kind: "methods",
      email: "ada@acme.test",
      methods: ACME,
    });
  });

  it("offer the password alone for a domain without a provider", () => {
    expect(continued("bob@example.com", PASSWORD_ONLY)).toMatchObject({
      kind: "methods",
      methods: { password: true, provider: null },
    });
  });

  it("go back to the email, kept for editing, to change it", () => {
    const back = nextStep(continued("ada@acme.test", ACME), { type: "changeEmail" });
    expect(back).toEqual({ kind: "email", email: "ada@acme.test", problem: null });
  });

  it("stay on the email with the reason when Beacon cannot answer", () => {
    const checking = nextStep(firstStep(), { type: "continue", email: "ada@acme.test" });
    const failed = nextStep(checking, {
      type: "answered",
      email: "ada@acme.test",
      outcome: { ok: false, problem: "Beacon cannot be reached." },
    });
    expect(failed).toEqual({ kind: "email", email: "ada@acme.test", problem: "Beacon cannot be reached." });
  });

  it("ignore an answer for another email than the one being checked", () => {
    const checking = nextStep(firstStep(), { type: "continue", email: "bob@example.com" });
    const late = nextStep(checking, {
      type: "answered",
      email: "ada@acme.test",
      outcome: { ok: true, methods: ACME },
    });
    expect(late).toBe(checking);
  });
});

describe("methodsOutcome", () => {
  it("reads the methods Beacon answered", () => {
    expect(methodsOutcome({ data: { signInMethods: ACME } })).toEqual({ ok: true, methods: ACME });
  });

  it("says a network failure in words", () => {
    const error = new CombinedError({ networkError: new Error("offline") });
    expect(methodsOutcome({ error })).toEqual({
      ok: false,
      problem: "Beacon cannot be reached. Check your connection and try again.",
    });
  });
});

describe("refusal", () => {
  it("shows why login refused a password when the organisation signs in with its provider", () => {
    expect(refusal({ message: "Your organization signs in with Acme SSO." })).toBe(
      "Your organization signs in with Acme SSO.",
    );
  });

  it("adds the wait of a rate limit", () => {
    expect(refusal({ message: "Too many attempts.", retryAfterSeconds: 30 })).toBe(
      "Too many attempts. Try again in 30 s.",
    );
  });
});
