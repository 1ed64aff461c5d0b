// A person's whole session in the browser, against a live `beacon serve` (BEACON_URL): sign up,
// upload a two-page PDF and a Markdown file and watch them reach "Ready", ask, watch the answer
// stream in, open the cited page, rate, reload and find the conversation, manage users as the
// admin (a deactivated user's open app returns to sign-in), sign out. Every screen passes axe-core,
// is screenshotted and is checked at 360 px wide; the run ends with no console error and no
// request to another host. Controls are found by the accessible names that shared/API_CONTRACT.md
// ("The web application") fixes. Screenshots go to BEACON_SCREENSHOTS_DIR (web/e2e/screenshots).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  BASE_URL,
  MARKDOWN_TITLE,
  PASSWORD,
  PDF_TITLE,
  QUESTION,
  RUN,
  SLOW,
  assertAccessible,
  launch,
  markdownFile,
  overflowAt360,
  sawStop,
  screenshot,
  trackedContext,
  twoPagePdf,
  visibleControl,
  watchForStop,
} from "./support.mjs";

const ADMIN_EMAIL = `admin-${RUN}@example.com`;
const USER_EMAIL = `reader-${RUN}@example.com`;
const ADMIN_TABS = ["Users", "Usage", "Feedback", "Audit log", "Index health", "Settings"];

/** The header's link (a page may hold another link of the same name, e.g. an empty chat's). */
function navLink(page, name) {
  return page.getByRole("navigation").getByRole("link", { name, exact: true }).first();
}

let browser;
let admin; // the admin's tracked context, signed up in the first step
let reader; // the created user's, in a second context
let conversationUrl; // where the asked conversation lives
const failed = new Set();

// The steps run in order and share the admin's page; one whose prerequisite failed is skipped
// with the reason, so the first real failure stands out.
function step(name, needs, run) {
  test(name, { timeout: SLOW * 2 }, async (t) => {
    const missing = needs.filter((need) => failed.has(need));
    if (missing.length) {
      failed.add(name);
      t.skip(`needs: ${missing.join(", ")}`);
      return;
    }
    try {
      await run();
    } catch (error) {
      failed.add(name);
      // What the screens showed when the step failed, beside the others.
      const slug = name
        .split(" ")
        .slice(0, 4)
        .join("-")
        .replace(/[^a-z0-9-]/gi, "");
      for (const [who, tracked] of [
        ["admin", admin],
        ["reader", reader],
      ]) {
        if (tracked) await screenshot(tracked.page, `failed-${slug}-${who}`).catch(() => undefined);
      }
      throw error;
    }
  });
}

before(async () => {
  browser = await launch();
  admin = await trackedContext(browser, "admin");
});

after(async () => {
  await browser?.close();
});

const SIGN_UP = "signs up as the first admin of a new organisation";
step(SIGN_UP, [], async () => {
  const { page } = admin;
  await page.goto(`${BASE_URL}/`);
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await assertAccessible(page, "sign-in");
  await screenshot(page, "01-sign-in");

  await page.getByRole("button", { name: "Create an organization" }).click();
  await page.getByLabel("Organization name").fill(`Harbour ${RUN}`);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await assertAccessible(page, "sign-up");
  await screenshot(page, "02-sign-up");
  await page.getByRole("button", { name: "Create organization" }).click();

  await page.getByRole("button", { name: "Sign out" }).waitFor();
  for (const name of ["Chat", "Documents", "Admin"]) await navLink(page, name).waitFor();
});

const UPLOAD = "uploads a two-page PDF and a Markdown file and watches both reach Ready";
step(UPLOAD, [SIGN_UP], async () => {
  const { page } = admin;
  await navLink(page, "Documents").click();
  await page.getByLabel("Upload files").setInputFiles([twoPagePdf(), markdownFile()]);
  for (const title of [PDF_TITLE, MARKDOWN_TITLE]) {
    const row = page.getByRole("row").filter({ hasText: title });
    await row.getByText("Ready", { exact: true }).waitFor({ timeout: SLOW });
  }
  await assertAccessible(page, "documents");
  await screenshot(page, "03-documents-ready");
});

const ASK = "asks, sees the answer stream in with a citation of page 2, and opens the PDF at that page";
step(ASK, [UPLOAD], async () => {
  const { page, context } = admin;
  await navLink(page, "Chat").click();
  const box = page.getByRole("textbox", { name: "Ask a question" });
  await box.waitFor();
  await assertAccessible(page, "chat, no conversation yet");
  await screenshot(page, "04-chat-empty");

  await watchForStop(page);
  await box.fill(QUESTION);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const helpful = page.getByRole("button", { name: "Helpful", exact: true }).last();
  await helpful.waitFor({ timeout: SLOW });
  assert.ok(await sawStop(page), 'no "Stop" button showed while the answer streamed');
  assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 0, '"Stop" is still shown');
  await page.getByRole("main").getByText("blue ledger").first().waitFor();

  const citation = page
    .getByRole("link", { name: new RegExp(`${PDF_TITLE}.*page 2|page 2.*${PDF_TITLE}`, "i") })
    .first();
  await citation.waitFor();
  conversationUrl = page.url();
  await assertAccessible(page, "chat with an answer");
  // The chip's tooltip shows the title, the page and the snippet.
  await citation.hover();
  await page.getByRole("tooltip").first().waitFor({ state: "attached" });
  await assertAccessible(page, "chat with a citation's tooltip open");
  await screenshot(page, "05-chat-answer");
  await page.mouse.move(0, 0);

  // A stable app link, not the signed link itself (that expires while a conversation stays open).
  const href = await citation.getAttribute("href");
  assert.match(href ?? "", /^\/open\/[^/?#]+\?page=2$/, `the citation links to ${href}`);
  assert.equal(await citation.getAttribute("target"), "_blank");
  // It asks Beacon for a fresh signed link and goes on to the PDF, at the cited page.
  const [popup] = await Promise.all([context.waitForEvent("page"), citation.click()]);
  await popup.waitForURL(/\/files\/.*#page=2$/, { timeout: SLOW });
  const opened = popup.url();
  await popup.close();
  const file = await context.request.get(opened.replace(/#.*$/, ""));
  assert.equal(file.status(), 200, `the cited file answered ${file.status()}`);
  assert.match(file.headers()["content-type"] ?? "", /^application\/pdf/);
  assert.equal((await file.body()).subarray(0, 5).toString("latin1"), "%PDF-");

  // A citation of a document that is gone says so instead of failing somewhere else.
  const gone = await context.newPage();
  await gone.goto(`${BASE_URL}/open/00000000-0000-4000-8000-000000000000?page=2`);
  await gone.getByText("This document was deleted or you can no longer see it.").waitFor();
  await assertAccessible(gone, "a citation of a document that is gone");
  await gone.close();
});

const RATE =
  "rates the answer Helpful with a comment and clears the rating by pressing again, all kept by Beacon";
step(RATE, [ASK], async () => {
  const { page } = admin;
  const helpful = page.getByRole("button", { name: "Helpful", exact: true }).last();
  const pressed = page.getByRole("button", { name: "Helpful", exact: true, pressed: true });
  const unpressed = page.getByRole("button", { name: "Helpful", exact: true, pressed: false });
  await helpful.waitFor();
  await helpful.click();
  await pressed.waitFor();
  await page.getByRole("button", { name: "Add a comment" }).click();
  await page.getByLabel("Comment (optional)").fill("The ledger colour was exactly what I needed.");
  await page.getByRole("button", { name: "Send comment" }).click();
  const comment = page.getByText("Your comment: The ledger colour was exactly what I needed.");
  await comment.waitFor();
  // A reload shows what Beacon stored, not what the page remembered.
  await page.reload();
  await pressed.waitFor();
  await comment.waitFor();
  await helpful.click();
  await comment.waitFor({ state: "detached" });
  await unpressed.waitFor();
  await page.reload();
  await unpressed.waitFor();
  assert.equal(await pressed.count(), 0, "the cleared rating came back after a reload");
});

const RELOAD = "finds the conversation and its messages after a reload";
step(RELOAD, [ASK], async () => {
  const { page } = admin;
  await page.goto(`${BASE_URL}/chat`);
  await page.getByRole("button", { name: "Sign out" }).waitFor(); // the refresh cookie restored the session
  const listed = page.getByRole("link", { name: /lighthouse keeper/i }).first();
  await listed.waitFor();
  await listed.click();
  const main = page.getByRole("main");
  await main.getByText(QUESTION).first().waitFor();
  await main.getByText("blue ledger").first().waitFor();
  await page.getByRole("button", { name: "Helpful", exact: true }).first().waitFor();
});

const NARROW = "chat and documents are usable at 360 px wide";
step(NARROW, [UPLOAD], async () => {
  const { page } = admin;
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    const screens = [
      {
        name: "documents",
        link: "Documents",
        controls: [page.getByLabel("Upload files"), page.getByRole("row").filter({ hasText: PDF_TITLE })],
      },
      {
        name: "chat",
        link: "Chat",
        controls: [
          page.getByRole("textbox", { name: "Ask a question" }),
          page.getByRole("button", { name: "Ask", exact: true }),
        ],
      },
    ];
    const problems = [];
    for (const screen of screens) {
      // Chat shows the asked conversation, the screen with the most on it.
      if (screen.link === "Chat" && conversationUrl) await page.goto(conversationUrl);
      else await navLink(page, screen.link).click();
      await screen.controls[0].waitFor({ state: "attached" });
      await screenshot(page, `06-${screen.name}-360px`);
      problems.push(...(await narrowProblems(page, screen.name, [...screen.controls, ...header(page)])));
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

/** The header's controls, there on every signed-in screen. */
function header(page) {
  return [page.getByRole("button", { name: "Sign out" }), navLink(page, "Chat"), navLink(page, "Documents")];
}

/** What makes the screen unusable at 360 px: sideways overflow, a control out of sight, axe-core. */
async function narrowProblems(page, screen, controls) {
  const problems = (await overflowAt360(page)).map((out) => `${screen} at 360 px: ${out}`);
  for (const control of controls) {
    if (!(await visibleControl(control.first())))
      problems.push(`${screen} at 360 px: ${control} cannot be seen`);
  }
  await assertAccessible(page, `${screen} at 360 px`);
  return problems;
}

const ADMIN_TABS_STEP = "shows each admin tab";
step(ADMIN_TABS_STEP, [SIGN_UP], async () => {
  const { page } = admin;
  await navLink(page, "Admin").click();
  for (const name of ADMIN_TABS) {
    const tab = page.getByRole("tab", { name });
    await tab.click();
    await page.getByRole("tab", { name, selected: true }).waitFor();
    await page.getByRole("tabpanel").first().waitFor();
    await assertAccessible(page, `admin: ${name}`);
    await screenshot(page, `07-admin-${name.toLowerCase().replace(/ /g, "-")}`);
  }
});

const ADMIN_NARROW = "each admin tab is usable at 360 px wide";
step(ADMIN_NARROW, [ADMIN_TABS_STEP], async () => {
  const { page } = admin;
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    const problems = [];
    for (const name of ADMIN_TABS) {
      const tab = page.getByRole("tab", { name });
      await tab.click();
      await page.getByRole("tab", { name, selected: true }).waitFor();
      await page.getByRole("tabpanel").first().waitFor();
      const slug = name.toLowerCase().replace(/ /g, "-");
      if (name === "Users" || name === "Audit log") await screenshot(page, `07-admin-${slug}-360px`);
      problems.push(...(await narrowProblems(page, `admin: ${name}`, [tab, ...header(page)])));
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

const DEACTIVATE = "creates a user, and deactivating them ends their session open in another browser";
step(DEACTIVATE, [SIGN_UP], async () => {
  const { page } = admin;
  await navLink(page, "Admin").click();
  await page.getByRole("tab", { name: "Users" }).click();
  await page.getByRole("tab", { name: "Users", selected: true }).waitFor();
  // The form "Create user" is on the tab, or behind a button of that name in a dialog.
  let form = page.getByRole("form", { name: "Create user" });
  if (!(await form.count())) {
    await page.getByRole("button", { name: "Create user" }).click();
    form = page.getByRole("dialog");
  }
  await form.getByLabel("Email").fill(USER_EMAIL);
  await form.getByLabel("Password").fill(PASSWORD);
  await form.getByRole("button", { name: "Create user" }).click();
  const row = page.getByRole("row").filter({ hasText: USER_EMAIL });
  await row.waitFor();
  await screenshot(page, "08-admin-user-created");

  reader = await trackedContext(browser, "reader");
  const other = reader.page;
  await other.goto(`${BASE_URL}/`);
  await other.getByLabel("Email").fill(USER_EMAIL);
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Sign in" }).click();
  await other.getByRole("button", { name: "Sign out" }).waitFor();
  assert.equal(await navLink(other, "Admin").count(), 0, "a USER sees Admin");

  await row.getByRole("button", { name: /^deactivate/i }).click();
  // Deactivating asks for confirmation in a dialog, or acts at once.
  const reactivate = row.getByRole("button", { name: /^reactivate/i });
  const confirm = page.getByRole("alertdialog").or(page.getByRole("dialog"));
  await confirm.or(reactivate).first().waitFor();
  if (await confirm.isVisible()) {
    await assertAccessible(page, "admin: deactivation dialog");
    await confirm.getByRole("button", { name: /^deactivate/i }).click();
  }
  await reactivate.waitFor();

  // The server closes the user's socket; the app learns why from the refused refresh.
  await other.getByText(/deactivated/i).waitFor({ timeout: 30_000 });
  await other.getByRole("button", { name: "Sign in" }).waitFor();
  await other.getByLabel("Email").waitFor();
  await assertAccessible(other, "sign-in after deactivation");
  await screenshot(other, "09-session-ended");
});

const SIGN_OUT = "signs out and lands on the sign-in form";
step(SIGN_OUT, [SIGN_UP], async () => {
  const { page } = admin;
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.getByLabel("Email").waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Sign in" }).waitFor(); // the cookie went with the session
  assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
});

const SIGN_IN_NARROW = "the sign-in form is usable at 360 px wide";
step(SIGN_IN_NARROW, [SIGN_OUT], async () => {
  const { page } = admin;
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await screenshot(page, "10-sign-in-360px");
    const controls = [
      page.getByLabel("Email"),
      page.getByLabel("Password"),
      page.getByRole("button", { name: "Sign in" }),
    ];
    assert.deepEqual(await narrowProblems(page, "sign-in", controls), []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("the session logged no console error, threw nothing and asked no other host", () => {
  const problems = [admin, reader].filter(Boolean).flatMap((tracked) => tracked.problems());
  assert.ok(admin.record.requests > 0, "no request was recorded: the check could not have failed");
  assert.deepEqual(problems, []);
});
