// Sign in, or create an organisation (when the server allows sign-up).

import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "urql";

import { useSessionManager } from "../app/beacon";
import { readFragment } from "../graphql";
import { UNREACHABLE } from "../ui/errors";
import { LoginMutation, SessionFields, SignUpEnabledQuery, SignUpMutation } from "../session/operations";

type Mode = "signIn" | "signUp";

/** A refusal in words, with the wait when there is one. */
function refusal(result: { message: string; retryAfterSeconds?: number }): string {
  return result.retryAfterSeconds
    ? `${result.message} Try again in ${result.retryAfterSeconds} s.`
    : result.message;
}

export function SignIn({ reason }: { reason: string | null }) {
  const [mode, setMode] = useState<Mode>("signIn");
  const [{ data }] = useQuery({ query: SignUpEnabledQuery });
  const signUpEnabled = data?.signUpEnabled ?? false;
  return (
    <main className="auth">
      <div className="auth-card">
        <h1 className="auth-title">Beacon</h1>
        {reason && (
          <p className="notice" role="alert">
            {reason}
          </p>
        )}
        {mode === "signIn" ? <SignInForm /> : <SignUpForm />}
        {signUpEnabled && (
          <p className="auth-switch">
            {mode === "signIn" ? (
              <button type="button" className="link" onClick={() => setMode("signUp")}>
                Create an organization
              </button>
            ) : (
              <button type="button" className="link" onClick={() => setMode("signIn")}>
                Sign in to an existing organization
              </button>
            )}
          </p>
        )}
      </div>
    </main>
  );
}

function SignInForm() {
  const session = useSessionManager();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await login({ email: String(form.get("email")), password: String(form.get("password")) });
    const payload = result.data?.login;
    if (payload?.__typename === "AuthPayload") session.accept(readFragment(SessionFields, payload));
    else setError(payload ? refusal(payload) : UNREACHABLE);
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-label="Sign in">
      <h2>Sign in</h2>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button primary" disabled={fetching}>
        Sign in
      </button>
    </form>
  );
}

function SignUpForm() {
  const session = useSessionManager();
  const [{ fetching }, signUp] = useMutation(SignUpMutation);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await signUp({
      organizationName: String(form.get("organizationName")),
      email: String(form.get("email")),
      password: String(form.get("password")),
    });
    const payload = result.data?.signUp;
    if (payload?.__typename === "AuthPayload") session.accept(readFragment(SessionFields, payload));
    else setError(payload ? refusal(payload) : UNREACHABLE);
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-label="Create an organization">
      <h2>Create an organization</h2>
      <label>
        Organization name
        <input name="organizationName" required maxLength={200} autoFocus />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          aria-describedby="password-hint"
        />
      </label>
      <p id="password-hint" className="hint">
        12 characters at least.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button primary" disabled={fetching}>
        Create organization
      </button>
    </form>
  );
}
