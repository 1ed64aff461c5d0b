// Losing the network, on a live `beacon serve` (BEACON_URL): the thin banner says so and goes
// once the connection is back, live updates resume, and an answer cut off by the lost
// connection says so and offers Retry, which answers once back online. Offline is Chromium's
// own emulation (context.setOffline): the browser fires "offline"/"online" and refuses new
// requests, but leaves an open websocket open (Chromium 156). So the banner and the cut-off
// answer here come from the app's own handling of the "offline" event (ConnectionMonitor,
// ChatPage), not from a socket that broke.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  BASE_URL,
  MARKDOWN_TITLE,
  PASSWORD,
  RUN,
  SLOW,
  assertAccessible,
  launch,
  markdownFile,
  screenshot,
  signUpByApi,
  trackedContext,
} from "./support.mjs";

const EMAIL = `offline-${RUN}@example.com`;
// The onboarding guide answers it; the extractive answer quotes a sentence, a word per delta.
const QUESTION = "When does the service desk create the email account?";
const INTERRUPTED = "The answer was cut off before it finished.";
// Chromium logs each request it refuses while offline; nothing else is excused.
const OFFLINE_REFUSAL = /net::ERR_INTERNET_DISCONNECTED/;

let browser;
let tracked;

before(async () => {
  browser = await launch();
  await signUpByApi(EMAIL, `Offline ${RUN}`);
  tracked = await trackedContext(browser, "offline", { tolerateConsole: OFFLINE_REFUSAL });
});

after(async () => {
  await browser?.close();
});

function navLink(page, name) {
  return page.getByRole("navigation").getByRole("link", { name, exact: true }).first();
}

function banner(page) {
  return page.getByRole("status").filter({ hasText: "Connection lost" });
}

/** What the screen showed when a test failed, beside the walk's screenshots. */
async function onFailure(name, body) {
  try {
    await body();
  } catch (error) {
    await screenshot(tracked.page, `failed-offline-${name}`).catch(() => undefined);
    throw error;
  }
}

test("says the connection is lost, and live updates resume once it is back", { timeout: SLOW * 2 }, () =>
  onFailure("banner", async () => {
    const { page, context } = tracked;
    await page.goto(`${BASE_URL}/`);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await navLink(page, "Documents").click();
    await page.getByLabel("Upload files").waitFor({ state: "attached" });
    assert.equal(await banner(page).count(), 0, "the banner shows while online");

    await context.setOffline(true);
    await banner(page).waitFor();
    assert.match(await banner(page).innerText(), /reconnect by itself/);
    await assertAccessible(page, "documents, offline");

    await context.setOffline(false);
    await banner(page).waitFor({ state: "detached" });

    // Ready arrives through documentEvents: the subscription socket works again.
    await page.getByLabel("Upload files").setInputFiles([markdownFile()]);
    const row = page.getByRole("row").filter({ hasText: MARKDOWN_TITLE });
    await row.getByText("Ready", { exact: true }).waitFor({ timeout: SLOW });
    assert.deepEqual(tracked.problems(), []);
  }),
);

test(
  "says an answer cut off by the lost connection was cut off, and Retry answers once back",
  { timeout: SLOW * 2 },
  () =>
    onFailure("answer", async () => {
      const { page, context } = tracked;
      await navLink(page, "Chat").click();
      const box = page.getByRole("textbox", { name: "Ask a question" });
      await box.fill(QUESTION);
      await page.getByRole("button", { name: "Ask", exact: true }).click();
      // Offline the moment the answer is in flight: retrieval comes before the first delta.
      await page.getByRole("button", { name: "Stop" }).waitFor();
      await context.setOffline(true);

      const cut = page.getByRole("alert").filter({ hasText: INTERRUPTED });
      await cut.waitFor();
      await banner(page).waitFor();
      assert.match(await cut.innerText(), /The connection to Beacon was lost\./);
      const retry = cut.getByRole("button", { name: "Retry" });
      await retry.waitFor();
      assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 0, '"Stop" is still shown');
      await assertAccessible(page, "chat, an answer cut off while offline");
      const complete = page.getByRole("status").filter({ hasText: "The answer is complete." });
      assert.equal(await complete.count(), 0, "the cut-off answer is announced as complete");

      await context.setOffline(false);
      await banner(page).waitFor({ state: "detached" });
      await retry.click();
      // Only an answer the page saw finish is announced so: the retried one.
      await complete.waitFor({ state: "attached", timeout: SLOW });
      await page.getByRole("main").getByText("creates the email account").first().waitFor();
      await page.getByRole("button", { name: "Helpful", exact: true }).last().waitFor();
      assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 0, '"Stop" is still shown');
      assert.deepEqual(tracked.problems(), []);
    }),
);
