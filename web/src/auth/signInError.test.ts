import { describe, expect, it } from "vitest";

import { removeSignInError, signInErrorFrom, signInErrorSentence, withoutSignInError } from "./signInError";

const CODES = [
  "NO_PROVIDER",
  "PROVIDER_UNREACHABLE",
  "STATE_MISMATCH",
  "PROVIDER_REFUSED",
  "CODE_REJECTED",
  "TOKEN_INVALID",
  "EMAIL_NOT_ALLOWED",
  "ACCOUNT_DISABLED",
  "OTHER_ORGANIZATION",
];

/** A history that records what replaceState was given. */
function recordingHistory(state: unknown = { idx: 0, key: "k" }) {
  const calls: { state: unknown; url: string }[] = [];
  return {
    calls,
    history: {
      state,
      replaceState: (data: unknown, _unused: string, url?: string | URL | null) =>
        void calls.push({ state: data, url: String(url) }),
    },
  };
}

describe("signInErrorSentence", () => {
  it("says each failure of a company sign-in in its own sentence", () => {
    const sentences = CODES.map(signInErrorSentence);
    expect(new Set(sentences).size).toBe(CODES.length);
    for (const sentence of sentences) expect(sentence).toMatch(/^[A-Z].*\.$/);
  });

  it("says a deactivated account is deactivated, and the provider down that it could not be reached", () => {
    expect(signInErrorSentence("ACCOUNT_DISABLED")).toMatch(/deactivated/);
    expect(signInErrorSentence("PROVIDER_UNREACHABLE")).toMatch(/could not be reached/);
  });

  it("says something plain for a code it does not know, never the code itself", () => {
    expect(signInErrorSentence("<b>SURPRISE</b>")).toBe(
      "Signing in with your company account failed. Try again.",
    );
    expect(signInErrorSentence("toString")).toBe("Signing in with your company account failed. Try again.");
  });
});

describe("signInErrorFrom", () => {
  it("reads the sentence from the address the callback sent the browser to", () => {
    expect(signInErrorFrom("?signInError=EMAIL_NOT_ALLOWED")).toBe(signInErrorSentence("EMAIL_NOT_ALLOWED"));
  });

  it("has nothing to say on an ordinary address", () => {
    expect(signInErrorFrom("")).toBeNull();
    expect(signInErrorFrom("?next=%2Fchat")).toBeNull();
  });
});

describe("removeSignInError", () => {
  it("takes the parameter out of the address and keeps the rest and the router's state", () => {
    const { calls, history } = recordingHistory();
    removeSignInError({ href: "https://beacon.test/?signInError=STATE_MISMATCH&tab=1#top" }, history);
    expect(calls).toEqual([{ state: { idx: 0, key: "k" }, url: "/?tab=1#top" }]);
  });

  it("leaves an address without the parameter alone", () => {
    const { calls, history } = recordingHistory();
    removeSignInError({ href: "https://beacon.test/chat?x=1" }, history);
    expect(calls).toEqual([]);
    expect(withoutSignInError("https://beacon.test/")).toBeNull();
  });

  it("leaves the root address bare once the only parameter is gone", () => {
    expect(withoutSignInError("https://beacon.test/?signInError=NO_PROVIDER")).toBe("/");
  });
});
