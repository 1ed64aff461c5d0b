// Sign in (with the password, or the company provider of the email's organisation), or create
// an organisation (when the server allows sign-up).

import { type FormEvent, useEffect, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";

import { useSessionManager } from "../app/beacon";
import { readFragment } from "../graphql";
import { UNREACHABLE } from "../ui/errors";
import {
  LoginMutation,
  SessionFields,
  SignInMethodsQuery,
  SignUpEnabledQuery,
  SignUpMutation,
} from "../session/operations";
import { removeSignInError, signInErrorFrom } from "./signInError";
import { type MethodsAnswer, type SignInMethods, askable, methodsFor, refusal } from "./signInFlow";

type Mode = "signIn" | "signUp";

/**
 * The failure a company sign-in came back with (`?signInError=`), said once: the address loses
 * the parameter, so a reload or a bookmark does not say it again.
 */
function useSignInError(): string | null {
  const [sentence] = useState(() => signInErrorFrom(window.location.search));
  useEffect(() => removeSignInError(window.location, window.history), []);
  return sentence;
}

export function SignIn({ reason }: { reason: string | null }) {
  const [mode, setMode] = useState<Mode>("signIn");
  const signInError = useSignInError();
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
        {mode === "signIn" ? <SignInForm problem={signInError} /> : <SignUpForm />}
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

// How long the person pauses on an email before Beacon is asked how its organisation signs in:
// once per address typed, not once per key.
const ASK_AFTER_MS = 300;

function SignInForm({ problem }: { problem: string | null }) {
  const client = useClient();
  const [email, setEmail] = useState("");
  const [answer, setAnswer] = useState<MethodsAnswer | null>(null);
  const asked = askable(email);

  useEffect(() => {
    if (asked === null) return;
    let current = true;
    const timer = setTimeout(() => {
      void client
        .query(SignInMethodsQuery, { email: asked }, { requestPolicy: "network-only" })
        .toPromise()
        .then((result) => {
          // Unanswered, the form keeps the password: the sign-in itself says what is wrong.
          if (current && result.data) setAnswer({ email: asked, methods: result.data.signInMethods });
        });
    }, ASK_AFTER_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [asked, client]);

  return (
    <SignInFields email={email} onEmail={setEmail} methods={methodsFor(email, answer)} problem={problem} />
  );
}

/** The form for the ways `methods` allows: the password (with "Sign in"), the provider, or both. */
export function SignInFields({
  email,
  onEmail,
  methods,
  problem,
}: {
  email: string;
  onEmail: (email: string) => void;
  methods: SignInMethods;
  problem: string | null;
}) {
  const session = useSessionManager();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(problem);
  const { provider, password } = methods;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
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
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(event) => onEmail(event.currentTarget.value)}
        />
      </label>
      {provider && (
        // A plain navigation: Beacon's start route sends the browser on to the provider.
        <a className="button primary" href={provider.startUrl}>
          Sign in with {provider.name}
        </a>
      )}
      {provider && password && <p className="auth-or">or with your password</p>}
      {password && (
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {password && (
        <button type="submit" className={provider ? "button" : "button primary"} disabled={fetching}>
          Sign in
        </button>
      )}
      {!provider && !password && (
        <p className="error" role="alert">
          This organization has no way to sign in for this email. Ask an administrator.
        </p>
      )}
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
