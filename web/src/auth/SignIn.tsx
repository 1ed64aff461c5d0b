// Sign in (the email first, then the ways its organisation signs in), or create an organisation
// (when the server allows sign-up).

import { type FormEvent, useEffect, useReducer, useRef, useState } from "react";
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
import { type SignInMethods, firstStep, methodsOutcome, nextStep, refusal } from "./signInFlow";

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

function SignInForm({ problem }: { problem: string | null }) {
  const client = useClient();
  const [step, dispatch] = useReducer(nextStep, problem, firstStep);

  async function continueWith(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email")).trim();
    dispatch({ type: "continue", email });
    const result = await client
      .query(SignInMethodsQuery, { email }, { requestPolicy: "network-only" })
      .toPromise();
    dispatch({ type: "answered", email, outcome: methodsOutcome(result) });
  }

  if (step.kind === "methods")
    return (
      <MethodsForm
        email={step.email}
        methods={step.methods}
        onChangeEmail={() => dispatch({ type: "changeEmail" })}
      />
    );
  const checking = step.kind === "checking";
  return (
    <form
      className="form"
      onSubmit={(event) => void continueWith(event)}
      aria-label="Sign in"
      aria-busy={checking}
    >
      <h2>Sign in</h2>
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          defaultValue={step.email}
          readOnly={checking}
        />
      </label>
      {step.kind === "email" && step.problem && (
        <p className="error" role="alert">
          {step.problem}
        </p>
      )}
      <button type="submit" className="button primary" disabled={checking}>
        Continue
      </button>
    </form>
  );
}

/** The second step: the organisation's provider, its password, or both, for this email. */
export function MethodsForm({
  email,
  methods,
  onChangeEmail,
}: {
  email: string;
  methods: SignInMethods;
  onChangeEmail: () => void;
}) {
  const session = useSessionManager();
  const [{ fetching }, login] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(null);
  const providerLink = useRef<HTMLAnchorElement>(null);
  const { provider, password } = methods;

  // Without a password field (autoFocus), the provider's button is where the person goes next.
  useEffect(() => {
    if (!password) providerLink.current?.focus();
  }, [password]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await login({ email, password: String(form.get("password")) });
    const payload = result.data?.login;
    if (payload?.__typename === "AuthPayload") session.accept(readFragment(SessionFields, payload));
    else setError(payload ? refusal(payload) : UNREACHABLE);
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-label="Sign in">
      <h2>Sign in</h2>
      {/* Kept as a field (read-only) so that password managers pair it with the password. */}
      <label>
        Email
        <input name="email" type="email" autoComplete="username" value={email} readOnly />
      </label>
      <p className="hint">
        <button type="button" className="link" onClick={onChangeEmail}>
          Use another email
        </button>
      </p>
      {provider && (
        // A plain navigation: Beacon's start route sends the browser on to the provider.
        <a ref={providerLink} className="button primary" href={provider.startUrl}>
          Sign in with {provider.name}
        </a>
      )}
      {provider && password && <p className="auth-or">or with your password</p>}
      {password && (
        <>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required autoFocus />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className={provider ? "button" : "button primary"} disabled={fetching}>
            Sign in
          </button>
        </>
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
