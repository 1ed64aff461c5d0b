// Which ways the sign-in form offers for the email being typed. The form keeps the contract's
// "Email", "Password" and "Sign in" from the start; once the person pauses on an address with a
// domain, `signInMethods` says how that domain's organisation signs in: its company provider
// beside the password, or the provider alone when it turned passwords off.

import type { ResultOf } from "../graphql";
import type { SignInMethodsQuery } from "../session/operations";

export type SignInMethods = ResultOf<typeof SignInMethodsQuery>["signInMethods"];

/** What `signInMethods` answered for one email. */
export type MethodsAnswer = { email: string; methods: SignInMethods };

/** Until Beacon answers for the email, the password, as for every organisation without a provider. */
export const PASSWORD_ONLY: SignInMethods = { password: true, provider: null };

/** The email worth asking about (trimmed, lower case), or null while it has no domain with a dot. */
export function askable(email: string): string | null {
  const address = email.trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(address) ? address : null;
}

/** The ways to offer for the email in the field: its answer, never an earlier address's. */
export function methodsFor(email: string, answer: MethodsAnswer | null): SignInMethods {
  const asked = askable(email);
  return answer && asked !== null && answer.email === asked ? answer.methods : PASSWORD_ONLY;
}

/** A refusal of `login` or `signUp` in words, with the wait when there is one. */
export function refusal(result: { message: string; retryAfterSeconds?: number }): string {
  return result.retryAfterSeconds
    ? `${result.message} Try again in ${result.retryAfterSeconds} s.`
    : result.message;
}
