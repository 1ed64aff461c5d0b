import { describe, expect, it } from "vitest";

import { PASSWORD_ONLY, type SignInMethods, askable, methodsFor, refusal } from "./signInFlow";

const ACME: SignInMethods = {
  password: true,
  provider: { name: "Acme SSO", startUrl: "/auth/oidc/start?email=ada%40acme.test" },
};

describe("askable", () => {
  it("is the address trimmed and in lower case once its domain has a dot", () => {
    expect(askable(" Ada@Acme.Test ")).toBe("ada@acme.test");
  });

  it("is null while the address is still being typed", () => {
    for (const partial of ["", "ada", "ada@", "ada@acme", "ada@acme.", "a b@acme.test"]) {
      expect(askable(partial)).toBeNull();
    }
  });
});

describe("methodsFor", () => {
  it("offers the password until Beacon answers", () => {
    expect(methodsFor("ada@acme.test", null)).toEqual(PASSWORD_ONLY);
  });

  it("offers what Beacon answered for the email in the field", () => {
    expect(methodsFor("Ada@acme.test", { email: "ada@acme.test", methods: ACME })).toBe(ACME);
  });

  it("never offers an earlier address's provider for the email now typed", () => {
    expect(methodsFor("ada@other.test", { email: "ada@acme.test", methods: ACME })).toEqual(PASSWORD_ONLY);
    expect(methodsFor("ada@acme.tes", { email: "ada@acme.test", methods: ACME })).toEqual(PASSWORD_ONLY);
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
