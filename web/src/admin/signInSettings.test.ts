import { CombinedError } from "@urql/core";
import { describe, expect, it } from "vitest";

import {
  type OidcSettings,
  configureInput,
  configureOutcome,
  domainList,
  formValues,
  groupList,
  passwordSignInOutcome,
  removeOutcome,
} from "./signInSettings";

const ACME: OidcSettings = {
  name: "Acme SSO",
  issuer: "https://login.acme.test",
  clientId: "beacon",
  clientSecretSet: true,
  clientSecretEnv: null,
  allowedDomains: ["acme.test", "acme.co.uk"],
  groupsClaim: "groups",
  adminGroups: ["beacon-admins"],
  verifiedAt: null,
  updatedAt: "2026-12-04T03:00:00Z",
};

// The server's answers as they arrive; readFragment only unmasks the type.
type ConfigureResult = Parameters<typeof configureOutcome>[0];
const answer = (payload: object) => ({ data: { configureOidc: payload } }) as unknown as ConfigureResult;

describe("the company sign-in form", () => {
  it("starts blank, with the usual groups claim, when no provider is set up", () => {
    expect(formValues(null)).toMatchObject({ name: "", secretSource: "stored", groupsClaim: "groups" });
  });

  it("starts from the stored provider, with the secret box empty", () => {
    expect(formValues(ACME)).toMatchObject({
      name: "Acme SSO",
      clientSecret: "",
      allowedDomains: "acme.test, acme.co.uk",
      adminGroups: "beacon-admins",
    });
  });

  it("starts on the environment variable when the secret comes from one", () => {
    expect(formValues({ ...ACME, clientSecretSet: false, clientSecretEnv: "ACME_SECRET" })).toMatchObject({
      secretSource: "env",
      clientSecretEnv: "ACME_SECRET",
    });
  });

  it("keeps the stored secret when its box is left empty (null, write-only)", () => {
    const input = configureInput({ ...formValues(ACME), clientSecret: "  " });
    expect(input).toMatchObject({ clientSecret: null, clientSecretEnv: null });
  });

  it("sends a new secret typed in its box", () => {
    expect(configureInput({ ...formValues(ACME), clientSecret: "s3cret\n" })).toMatchObject({
      clientSecret: "s3cret",
      clientSecretEnv: null,
    });
  });

  it("sends the variable's name, and no secret, when the secret comes from the environment", () => {
    const values = { ...formValues(ACME), secretSource: "env" as const, clientSecret: "typed before" };
    expect(configureInput({ ...values, clientSecretEnv: " ACME_SECRET " })).toMatchObject({
      clientSecret: null,
      clientSecretEnv: "ACME_SECRET",
    });
  });

  it("sends the lists as lists, and the usual claim when the box is empty", () => {
    const input = configureInput({
      ...formValues(null),
      name: " Acme SSO ",
      issuer: "https://login.acme.test ",
      clientId: "beacon",
      allowedDomains: "Acme.test, @acme.co.uk acme.test",
      groupsClaim: "",
      adminGroups: "beacon-admins, Beacon owners",
    });
    expect(input).toEqual({
      name: "Acme SSO",
      issuer: "https://login.acme.test",
      clientId: "beacon",
      clientSecret: null,
      clientSecretEnv: null,
      allowedDomains: ["acme.test", "acme.co.uk"],
      groupsClaim: "groups",
      adminGroups: ["beacon-admins", "Beacon owners"],
    });
  });

  it("reads domains by commas, spaces or lines, and groups by commas or lines", () => {
    expect(domainList("a.test\nb.test;c.test ,, ")).toEqual(["a.test", "b.test", "c.test"]);
    expect(groupList("Beacon admins\nops, ops")).toEqual(["Beacon admins", "ops"]);
  });
});

describe("configureOutcome", () => {
  it("reads the saved settings", () => {
    const outcome = configureOutcome(
      answer({ __typename: "SignInSettings", passwordSignIn: true, oidc: ACME }),
    );
    expect(outcome).toMatchObject({ kind: "saved", settings: { passwordSignIn: true, oidc: ACME } });
  });

  it("points a validation error to its field", () => {
    const outcome = configureOutcome(
      answer({
        __typename: "ValidationError",
        code: "INVALID_INPUT",
        message: "Not a URL.",
        field: "issuer",
      }),
    );
    expect(outcome).toEqual({ kind: "refused", text: "Not a URL.", field: "issuer" });
  });

  it("points a failed discovery to the issuer", () => {
    const outcome = configureOutcome(
      answer({ __typename: "OidcDiscoveryFailed", code: "OIDC_DISCOVERY_FAILED", message: "No discovery." }),
    );
    expect(outcome).toEqual({ kind: "refused", text: "No discovery.", field: "issuer" });
  });

  it("points a domain of another organisation to the domains", () => {
    const outcome = configureOutcome(
      answer({ __typename: "DomainTaken", code: "DOMAIN_TAKEN", message: "acme.test is taken." }),
    );
    expect(outcome).toEqual({ kind: "refused", text: "acme.test is taken.", field: "allowedDomains" });
  });

  it("says a network failure in words", () => {
    const error = new CombinedError({ networkError: new Error("offline") });
    expect(configureOutcome({ error })).toEqual({
      kind: "refused",
      text: "Beacon cannot be reached. Check your connection and try again.",
      field: null,
    });
  });
});

describe("the other sign-in mutations", () => {
  it("read the settings after removing the provider", () => {
    const result = {
      data: { removeOidc: { __typename: "SignInSettings", passwordSignIn: true, oidc: null } },
    };
    expect(removeOutcome(result as unknown as Parameters<typeof removeOutcome>[0])).toMatchObject({
      kind: "saved",
      settings: { passwordSignIn: true, oidc: null },
    });
  });

  it("say why passwords stay on while the provider is not verified", () => {
    const result = {
      data: {
        setPasswordSignIn: {
          __typename: "OidcNotVerified",
          code: "OIDC_NOT_VERIFIED",
          message: "Sign in once with Acme SSO first.",
        },
      },
    };
    expect(passwordSignInOutcome(result as unknown as Parameters<typeof passwordSignInOutcome>[0])).toEqual({
      kind: "refused",
      text: "Sign in once with Acme SSO first.",
      field: null,
    });
  });
});
