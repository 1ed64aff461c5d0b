// Sign in and ask with the keyboard alone (Tab, Enter and typing; never a click), on a live
// `beacon serve` (BEACON_URL). The account is made through the API: the subject here is the keyboard.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  BASE_URL,
  PASSWORD,
  RUN,
  SLOW,
  launch,
  sawStop,
  signUpByApi,
  tabTo,
  trackedContext,
  watchForStop,
} from "./support.mjs";

const EMAIL = `keys-${RUN}@example.com`;
let browser;

before(async () => {
  browser = await launch();
  await signUpByApi(EMAIL, `Keyboard ${RUN}`);
});

after(async () => {
  await browser?.close();
});

test("signs in and asks a question with the keyboard alone", { timeout: SLOW * 2 }, async () => {
  const tracked = await trackedContext(browser, "keyboard");
  const { page, keyboard } = { page: tracked.page, keyboard: tracked.page.keyboard };
  await page.goto(`${BASE_URL}/`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();

  await tabTo(page, page.getByLabel("Email"), 'the "Email" field');
  await keyboard.type(EMAIL);
  await tabTo(page, page.getByLabel("Password"), 'the "Password" field');
  await keyboard.type(PASSWORD);
  await keyboard.press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  // The app opens on Chat; without documents Beacon still answers, plainly, that it cannot.
  const box = page.getByRole("textbox", { name: "Ask a question" });
  await box.waitFor();
  await tabTo(page, box, 'the "Ask a question" box');
  await watchForStop(page);
  await keyboard.type("What is the travel policy for trains?");
  await keyboard.press("Enter");
  const helpful = page.getByRole("button", { name: "Helpful", exact: true }).last();
  await helpful.waitFor({ timeout: SLOW });
  assert.ok(await sawStop(page), 'no "Stop" button showed while the answer streamed');

  await tabTo(page, helpful, 'the "Helpful" toggle');
  await keyboard.press("Enter");
  await page.getByRole("button", { name: "Helpful", exact: true, pressed: true }).waitFor();

  await tabTo(page, page.getByRole("button", { name: "Sign out" }), 'the "Sign out" button', 80);
  await keyboard.press("Enter");
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  assert.deepEqual(tracked.problems(), []);
});
