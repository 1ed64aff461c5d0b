// Why a company sign-in failed: Beacon's OIDC routes send the browser back to
// `/?signInError=<CODE>` (the codes of OIDC.md); the sign-in page says it in words, once.

const PARAMETER = "signInError";

const SENTENCES: Record<string, string> = {
  NO_PROVIDER:
    "No organization signs in with a company account for this email's domain. Sign in with your password.",
  PROVIDER_UNREACHABLE: "Your company's sign-in service could not be reached. Try again in a moment.",
  STATE_MISMATCH: "The sign-in took too long or was started in another window. Start again from this page.",
  PROVIDER_REFUSED: "Your company's sign-in service did not sign you in.",
  CODE_REJECTED:
    "Your company's sign-in service refused to finish the sign-in (it was used or expired). Start again.",
  TOKEN_INVALID:
    "Beacon could not verify the answer of your company's sign-in service. Ask an administrator to check the company sign-in settings.",
  EMAIL_NOT_ALLOWED:
    "Your company account has no verified email in a domain this organization allows. Ask an administrator.",
  ACCOUNT_DISABLED: "Your account is deactivated. Ask an administrator to reactivate it.",
  OTHER_ORGANIZATION:
    "This email belongs to an account of another organization. Sign in there with its password.",
};

const UNKNOWN = "Signing in with your company account failed. Try again.";

/** The sentence for a code; a code this app does not know still gets one (never the raw code). */
export function signInErrorSentence(code: string): string {
  return Object.hasOwn(SENTENCES, code) ? SENTENCES[code]! : UNKNOWN;
}

/** The sentence for the page's `?signInError=`, or null when there is none. */
export function signInErrorFrom(search: string): string | null {
  const code = new URLSearchParams(search).get(PARAMETER);
  return code === null ? null : signInErrorSentence(code);
}

/**
 * The address without `signInError` (the rest kept), or null when it has none: a reload or a
 * bookmark must not show an old failure again.
 */
export function withoutSignInError(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has(PARAMETER)) return null;
  url.searchParams.delete(PARAMETER);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Take `signInError` out of the page's address, keeping the router's history state. */
export function removeSignInError(
  location: { href: string },
  history: Pick<History, "replaceState" | "state">,
): void {
  const cleaned = withoutSignInError(location.href);
  if (cleaned !== null) history.replaceState(history.state, "", cleaned);
}
