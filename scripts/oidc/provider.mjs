// The OpenID provider Beacon's tests sign in through (`./scripts/services start oidc`).
//
// Why panva's oidc-provider and not Keycloak, the provider many companies run: it is
// OpenID-certified, so the flow Beacon's tests drive is the standard's and not a mock's; it
// runs on Node 22, which npm installs like any package (`node@22`: nothing but npm downloads),
// whereas Keycloak 26 needs JDK 21 (the development machine, like many CI images, has JDK 17)
// and about 512 MB of heap where this whole process stays under 100 MB resident; it starts in
// a second, and its accounts are a JSON file. (zitadel's example OP is untested; Dex cannot be
// `go install`ed.)
//
// A provider as an organisation runs it: dynamic client registration open (each test
// registers a client for its own server's callback), a real login form that checks the
// passwords of accounts.json, consent granted without asking (a company's provider does not
// ask its employees whether Beacon may know their email), the person's claims in the ID
// token, single-use codes, a signing key made at start. Its state (clients, sessions, codes)
// lives in memory, which the library warns about at start: a restart forgets every client,
// and each test registers its own anyway. Nothing here reaches beyond loopback: the pages
// carry no fonts or scripts from elsewhere (the library's own pages, which load a web font,
// are replaced or turned off).
//
//   OIDC_PORT      port on 127.0.0.1 (59400)
//   OIDC_ISSUER    issuer identifier (http://127.0.0.1:$OIDC_PORT)
//   OIDC_ACCOUNTS  the accounts file (accounts.json beside this script)
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT || 59400);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const accountsFile = process.env.OIDC_ACCOUNTS || new URL("accounts.json", import.meta.url);

// Each {sub, email, email_verified, name, password, groups}; signed in by email.
const accounts = JSON.parse(readFileSync(accountsFile, "utf8"));
const byEmail = new Map(accounts.map((account) => [account.email.toLowerCase(), account]));
const bySub = new Map(accounts.map((account) => [account.sub, account]));

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const signingKey = {
  ...(await exportJWK(privateKey)),
  kid: randomBytes(8).toString("hex"),
  alg: "RS256",
  use: "sig",
};

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "groups"],
  },
  // With a code, the ID token carries the scopes' claims too, not only userinfo: Beacon reads
  // them from the ID token alone.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: false },
  },
  // Codes are single use (the default: a replayed code answers invalid_grant).
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { email, email_verified, name, groups } = account;
        return { sub, email, email_verified, name, groups };
      },
    };
  },
  // Consent without a page: the grant covers what the client asked for.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope ?? "openid");
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = page(
      "Sign-in failed",
      `<p>${escape(out.error)}: ${escape(out.error_description ?? "")}</p>`,
    );
  },
});

const interaction = /^\/interaction\/([\w-]+)(\/login)?$/;

const server = createServer(async (req, res) => {
  const match = req.url.split("?")[0].match(interaction);
  if (!match) return provider.callback()(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      return html(res, 200, loginForm(details.uid, details.params.login_hint ?? ""));
    }
    if (req.method !== "POST" || !match[2]) return html(res, 405, page("Not allowed", ""));
    const form = new URLSearchParams(await body(req));
    if (form.has("abort")) {
      log(`${details.params.client_id}: the person cancelled`);
      return provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The person cancelled the sign-in." },
        { mergeWithLastSubmission: false },
      );
    }
    const login = (form.get("login") ?? "").trim();
    const account = byEmail.get(login.toLowerCase());
    if (!account || account.password !== form.get("password")) {
      log(`${details.params.client_id}: wrong email or password for ${login}`);
      return html(res, 401, loginForm(details.uid, login, "Wrong email or password."));
    }
    log(`${details.params.client_id}: ${account.email} signed in`);
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub } },
      { mergeWithLastSubmission: false },
    );
  } catch (error) {
    log(`interaction failed: ${error}`);
    return html(res, 400, page("Sign-in failed", `<p>${escape(String(error.message))}</p>`));
  }
});

server.listen(port, "127.0.0.1", () => log(`listening on 127.0.0.1:${port}, issuer ${issuer}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));

function loginForm(uid, login, error) {
  return page(
    "Sign in to Beacon Test SSO",
    `${error ? `<p role="alert">${escape(error)}</p>` : ""}
    <form method="post" action="/interaction/${uid}/login" autocomplete="off">
      <label>Email <input name="login" type="email" value="${escape(login)}" required autofocus></label>
      <label>Password <input name="password" type="password" required></label>
      <button type="submit">Sign in</button>
      <button type="submit" name="abort" value="1" formnovalidate>Cancel</button>
    </form>`,
  );
}

function page(title, content) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:3rem auto}label,button{display:block;margin:.5rem 0}</style>
</head><body><h1>${escape(title)}</h1>${content}</body></html>`;
}

function html(res, status, text) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

function body(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

function escape(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

function log(message) {
  console.log(`${new Date().toISOString()} oidc: ${message}`);
}
