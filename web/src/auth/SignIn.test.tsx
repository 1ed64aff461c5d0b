// The sign-in page as it renders (react-dom/server: the tests run without a DOM); which ways it
// offers for the email typed is signInFlow's, tested in signInFlow.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";

import { markupText, renderMarkup as render } from "../testing/render";
import { SignIn, SignInFields } from "./SignIn";
import type { SignInMethods } from "./signInFlow";
import { signInErrorSentence } from "./signInError";

function atAddress(href: string) {
  const url = new URL(href);
  vi.stubGlobal("window", {
    location: { href, search: url.search },
    history: { state: null, replaceState() {} },
    addEventListener() {},
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const fields = (methods: SignInMethods) =>
  render(<SignInFields email="ada@acme.test" onEmail={() => undefined} methods={methods} problem={null} />);

describe("the sign-in page", () => {
  it("asks for the email and the password, with Sign in, before any provider is known", () => {
    atAddress("https://beacon.test/");
    const html = render(<SignIn reason={null} />);
    expect(html).toContain('aria-label="Sign in"');
    expect(html).toMatch(/<label>Email<input[^>]*name="email"/);
    expect(html).toMatch(/<label>Password<input[^>]*name="password"/);
    expect(html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(html).not.toContain("Sign in with");
    expect(html).not.toContain('role="alert"');
  });

  it("says why a company sign-in failed when the provider's callback sent the browser back", () => {
    atAddress("https://beacon.test/?signInError=EMAIL_NOT_ALLOWED");
    const html = render(<SignIn reason={null} />);
    expect(html).toContain(
      `<p class="error" role="alert">${markupText(signInErrorSentence("EMAIL_NOT_ALLOWED"))}</p>`,
    );
  });
});

describe("the ways offered for an email", () => {
  const ACME = { name: "Acme SSO", startUrl: "/auth/oidc/start?email=ada%40acme.test" };

  it("offers the organisation's provider as a link to Beacon's start route, and the password", () => {
    const html = fields({ password: true, provider: ACME });
    expect(html).toContain(
      '<a class="button primary" href="/auth/oidc/start?email=ada%40acme.test">Sign in with Acme SSO</a>',
    );
    expect(html).toMatch(/<label>Password<input[^>]*name="password"/);
    expect(html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
  });

  it("offers the provider alone when the organisation turned passwords off", () => {
    const html = fields({ password: false, provider: ACME });
    expect(html).toContain("Sign in with Acme SSO");
    expect(html).not.toContain('name="password"');
    expect(html).not.toMatch(/>Sign in<\/button>/);
  });

  it("offers the password alone where no provider is configured, as before", () => {
    const html = fields({ password: true, provider: null });
    expect(html).not.toContain("Sign in with");
    expect(html).toMatch(/<button type="submit" class="button primary"[^>]*>Sign in<\/button>/);
  });
});
