// Company sign-in (OIDC) in Chromium, as a person does it: Beacon's sign-in page asks for the
// email, offers "Sign in with <provider>", the provider's own login page takes the password, and
// the browser lands in the signed-in web app. A person who cancels at the provider comes back to
// the sign-in page with the reason said. Every request stays on loopback (Beacon and the provider).
// Usage: node oidc.mjs <Beacon URL> <issuer> <provider name> <email> <password> <cancelling email>
// Exits non-zero with the reasons when anything differs.
import { chromium } from "playwright-core";

const [baseUrl, issuer, providerName, email, password, cancellingEmail] = process.argv.slice(2);
if (!cancellingEmail) {
  throw new Error("usage: node oidc.mjs <Beacon URL> <issuer> <provider name> <email> <password> <cancelling email>");
}
const beacon = new URL(baseUrl).origin;
const provider = new URL(issuer).origin;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const WAIT = { timeout: 30000 };

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const failures = [];
try {
  // 1. Signs in through the provider.
  {
    const { page, foreign } = await visit();
    await chooseProvider(page, email);
    await page.waitForURL((url) => url.origin === provider, WAIT);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.origin === beacon, WAIT);
    try {
      await page.getByRole("button", { name: "Sign out" }).waitFor(WAIT);
    } catch (error) {
      failures.push(`not signed in after the provider: ${page.url()}\n${await text(page)}`);
    }
    // Path=/graphql: the cookies of that URL, not of the page's.
    const cookies = await page.context().cookies(`${beacon}/graphql`);
    const refresh = cookies.find((cookie) => cookie.name === "beacon_refresh");
    if (!refresh?.httpOnly) failures.push(`no httpOnly beacon_refresh cookie: ${JSON.stringify(refresh)}`);
    if (new URL(page.url()).searchParams.has("signInError")) failures.push(`came back with ${page.url()}`);
    if (foreign.length) failures.push(`requests beyond Beacon and the provider: ${foreign.join(", ")}`);
    await page.context().close();
  }
  // 2. Cancels at the provider: back on the sign-in page, the reason said, not signed in.
  {
    const { page, foreign } = await visit();
    await chooseProvider(page, cancellingEmail);
    await page.waitForURL((url) => url.origin === provider, WAIT);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await page.waitForURL((url) => url.origin === beacon, WAIT);
    try {
      await page.getByRole("alert").first().waitFor(WAIT);
    } catch (error) {
      failures.push(`no alert after cancelling at the provider: ${page.url()}\n${await text(page)}`);
    }
    if (await page.getByRole("button", { name: "Sign out" }).count()) {
      failures.push("signed in after cancelling at the provider");
    }
    if (foreign.length) failures.push(`requests beyond Beacon and the provider: ${foreign.join(", ")}`);
    await page.context().close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`signed in with ${providerName} through its login page; a cancel came back refused`);

// Beacon's sign-in page: the email first, then the provider's button (a link to startUrl).
async function chooseProvider(page, address) {
  await page.goto(baseUrl);
  await page.getByLabel("Email").fill(address);
  const name = `Sign in with ${providerName}`;
  await page.getByRole("link", { name }).or(page.getByRole("button", { name })).click(WAIT);
}

// A fresh context (no cookies: neither Beacon's session nor the provider's) and the requests
// that left loopback.
async function visit() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const foreign = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return;
    if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") foreign.push(request.url());
  });
  return { page, foreign };
}

async function text(page) {
  return (await page.textContent("body").catch(() => "")).slice(0, 1500);
}
