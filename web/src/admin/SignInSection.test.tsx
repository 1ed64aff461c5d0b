// The company sign-in settings as they first render (react-dom/server: no DOM); what the form
// sends and how each answer reads is signInSettings.test.ts's.
import { describe, expect, it } from "vitest";

import { markupText, renderMarkup } from "../testing/render";
import { SignInSettingsView } from "./SignInSection";
import type { OidcSettings, SignInSettings } from "./signInSettings";

const ACME: OidcSettings = {
  name: "Acme SSO",
  issuer: "https://login.acme.test",
  clientId: "beacon",
  clientSecretSet: true,
  clientSecretEnv: null,
  allowedDomains: ["acme.test"],
  groupsClaim: "groups",
  adminGroups: ["beacon-admins"],
  verifiedAt: null,
  updatedAt: "2026-12-04T03:00:00Z",
};

const render = (settings: SignInSettings) => renderMarkup(<SignInSettingsView settings={settings} />);

describe("the company sign-in settings", () => {
  it("offer to set up a provider when there is none, with a secret required", () => {
    const html = render({ passwordSignIn: true, oidc: null });
    expect(html).toContain("No company provider yet");
    expect(html).toContain("Set up an OpenID Connect provider");
    expect(html).toMatch(/<input type="password"[^>]*required=""/);
    expect(html).not.toContain("Remove company sign-in");
  });

  it("show the stored provider, never its secret, and keep the secret when its box stays empty", () => {
    const html = render({ passwordSignIn: true, oidc: ACME });
    expect(html).toContain(
      "<strong>Acme SSO</strong> (https://login.acme.test) signs in people of acme.test.",
    );
    expect(html).toContain("secret stored encrypted; it is never shown");
    expect(html).toContain("Leave empty to keep the stored secret.");
    expect(html).toMatch(/<input type="password"(?![^>]*required)[^>]*value=""/);
    expect(html).toContain('value="acme.test"');
    expect(html).toContain('aria-label="Remove company sign-in"');
  });

  it("say the provider is not verified yet, and what that means for passwords", () => {
    const html = render({ passwordSignIn: true, oidc: ACME });
    expect(html).toContain("not yet. The first successful sign-in through it verifies it");
  });

  it("name the environment variable a secret is read from", () => {
    const html = render({
      passwordSignIn: true,
      oidc: { ...ACME, clientSecretSet: false, clientSecretEnv: "ACME_SECRET" },
    });
    expect(html).toContain("secret read from the environment variable ACME_SECRET");
    expect(html).toMatch(/<label>Environment variable<input[^>]*value="ACME_SECRET"/);
    expect(html).not.toContain('type="password"');
  });

  it("show password sign-in as a toggle in its state", () => {
    const on = render({ passwordSignIn: true, oidc: ACME });
    expect(on).toMatch(/<input type="checkbox"[^>]*checked=""[^>]*\/>Password sign-in/);
    const off = render({ passwordSignIn: false, oidc: { ...ACME, verifiedAt: "2026-12-04T03:10:00Z" } });
    expect(off).toMatch(/<input type="checkbox"(?![^>]*checked)[^>]*\/>Password sign-in/);
    expect(off).toContain(markupText("Off: everyone, admins included, signs in with Acme SSO."));
  });
});
