// The browser tests' harness: Debian's Chromium through playwright-core, contexts that record
// what the quality bars forbid (console errors, uncaught exceptions, requests to another host),
// axe-core on each screen, the 360 px check, screenshots, and the files the walk uploads.
// The server under test is BEACON_URL (a live `beacon serve` that serves web/dist at /).
/* global document, window, getComputedStyle, fetch */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Buffer } from "node:buffer";

import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.BEACON_URL ?? "").replace(/\/$/, "");
if (!BASE_URL) throw new Error("Set BEACON_URL to a running `beacon serve` that serves the web app.");
const ORIGIN = new URL(BASE_URL).origin;

export const SCREENSHOTS = process.env.BEACON_SCREENSHOTS_DIR || join(import.meta.dirname, "screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

// Long enough for a busy CI machine to parse, embed and answer; every wait is on an event.
export const SLOW = 180_000;

/** Chromium as the project drives it elsewhere; launch() gives it a fresh profile of its own. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A browser context that records every console error, uncaught exception and request (HTTP and
 * websocket) of all its pages. `problems()` lists what the quality bars forbid.
 * `tolerateConsole` (a RegExp) sets aside the console errors a test provokes on purpose (the
 * browser's own line for each request refused while offline); the others still count.
 */
export async function trackedContext(browser, who, { tolerateConsole, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const record = { consoleErrors: [], toleratedConsoleErrors: [], pageErrors: [], foreign: [], requests: 0 };
  const watch = (url) => {
    const { protocol } = new URL(url);
    // The PDF viewer's own chrome-extension:, data: and blob: URLs are no network requests.
    if (!["http:", "https:", "ws:", "wss:"].includes(protocol)) return;
    record.requests += 1;
    const origin = new URL(url.replace(/^ws/, "http")).origin;
    if (origin !== ORIGIN) record.foreign.push(url);
  };
  const attach = (page) => {
    page.on("request", (request) => watch(request.url()));
    page.on("websocket", (socket) => watch(socket.url()));
    page.on("console", (message) => {
      if (message.type() === "error") {
        const where = message.location()?.url ?? "";
        const line = `${message.text()}${where ? ` (${where})` : ""} on ${page.url()}`;
        if (tolerateConsole?.test(message.text())) record.toleratedConsoleErrors.push(line);
        else record.consoleErrors.push(line);
      }
    });
    page.on("pageerror", (error) => record.pageErrors.push(`${error.message} on ${page.url()}`));
  };
  context.on("page", attach);
  const page = await context.newPage();
  return {
    context,
    page,
    record,
    problems() {
      return [
        ...record.consoleErrors.map((line) => `${who}: console error: ${line}`),
        ...record.pageErrors.map((line) => `${who}: uncaught exception: ${line}`),
        ...record.foreign.map((url) => `${who}: request to another host: ${url}`),
      ];
    },
  };
}

/** Fails with every serious or critical axe-core violation on the screen as it is now. */
export async function assertAccessible(page, screen) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) {
    const lines = bad.map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((node) => `    ${node.target.join(" ")}: ${node.failureSummary?.split("\n").join(" ")}`)
          .join("\n"),
    );
    throw new Error(`axe-core on ${screen}:\n${lines.join("\n")}`);
  }
}

/** A full-page screenshot under SCREENSHOTS (BEACON_SCREENSHOTS_DIR when set). */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * At 360 px the document must not scroll sideways: lists what sticks out past the viewport's
 * right edge, except inside a table wrapper (tables scroll within their own box).
 */
export async function overflowAt360(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // Inside a box that scrolls or clips sideways (a table wrapper) overflow is that box's own;
    // the body and the document do not count, their overflow is what this looks for.
    const scrollable = (element) => {
      for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
        if (node.classList.contains("table-wrap")) return true;
        const { overflowX } = getComputedStyle(node);
        if (overflowX === "auto" || overflowX === "scroll" || overflowX === "hidden") return true;
      }
      return false;
    };
    const describe = (element) => {
      const label = element.getAttribute("aria-label") || element.textContent?.trim().slice(0, 40) || "";
      const right = Math.round(element.getBoundingClientRect().right);
      const { position } = getComputedStyle(element);
      return `<${element.tagName.toLowerCase()} class="${element.className}"> "${label}" (${position}) ends at ${right} px`;
    };
    const past = [...document.body.querySelectorAll("*")].filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1;
    });
    const out = past.filter((element) => !scrollable(element)).map(describe);
    // An absolutely positioned element escapes a scroll box that is not its containing block.
    const documentWidth = document.documentElement.scrollWidth;
    if (documentWidth > width + 1) {
      if (!out.length) {
        out.push(
          ...past.filter((element) => getComputedStyle(element).position === "absolute").map(describe),
        );
      }
      out.unshift(`the document is ${documentWidth} px wide, the viewport ${width} px`);
    }
    return out.slice(0, 8);
  });
}

/** Whether a control, or for a visually hidden file input its label, can be seen. */
export async function visibleControl(locator) {
  if (await locator.isVisible()) return true;
  return locator.evaluate((input) =>
    [...(input.labels ?? [])].some((label) => {
      const box = label.getBoundingClientRect();
      return box.width > 1 && box.height > 1 && getComputedStyle(label).visibility !== "hidden";
    }),
  );
}

/** Press Tab until `locator` has the focus (keyboard only); fails after `limit` presses. */
export async function tabTo(page, locator, what, limit = 40) {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await locator.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`${limit} presses of Tab never reached ${what}; the focus is on ${focused}`);
}

/** Record whether a button named "Stop" ever shows while an answer streams (set up before asking). */
export async function watchForStop(page) {
  await page.evaluate(() => {
    const seen = { stop: false };
    window.__beaconStream = seen;
    const look = () => {
      for (const button of document.querySelectorAll("button")) {
        const name = (button.getAttribute("aria-label") ?? button.textContent ?? "").trim();
        if (name === "Stop") seen.stop = true;
      }
    };
    new window.MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
}

export async function sawStop(page) {
  return page.evaluate(() => window.__beaconStream?.stop === true);
}

/** A unique enough suffix for emails and organisation names within one run. */
export const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
export const PASSWORD = "correct horse battery staple";

/** Sign up through the API (tests whose subject is not the sign-up form). */
export async function signUpByApi(email, organizationName) {
  const response = await fetch(`${BASE_URL}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query:
        "mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on Error { message } } }",
      variables: { input: { email, password: PASSWORD, organizationName } },
    }),
  });
  const body = await response.json();
  if (body.data?.signUp?.__typename !== "AuthPayload") {
    throw new Error(`sign-up of ${email} refused: ${JSON.stringify(body)}`);
  }
}

// The PDF's second page alone says where the keeper records ships; the question asks it.
export const PDF_TITLE = "harbour-ledger";
export const PAGE_TWO_SENTENCE = "The lighthouse keeper records every passing ship in the blue ledger.";
export const QUESTION = "Where does the lighthouse keeper record every passing ship?";
export const MARKDOWN_TITLE = "onboarding-guide";

const PDF_PAGES = [
  [
    "Section 1: Opening hours",
    "The harbour office opens at eight every weekday morning.",
    "Visitors sign in at the front desk and wear a badge at all times.",
    "The canteen serves soup and bread from noon until two.",
  ],
  [
    "Section 2: Records",
    PAGE_TWO_SENTENCE,
    "Each entry names the vessel, its flag and the hour it passed the point.",
    "The ledger is kept in the tower and copied to the archive every month.",
  ],
];

/** A two-page PDF (standard Helvetica, one text block per page) built byte by byte. */
export function twoPagePdf() {
  const escape = (text) => text.replace(/[\\()]/g, (c) => `\\${c}`);
  const objects = [];
  const pageIds = PDF_PAGES.map((_, index) => 4 + index * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  PDF_PAGES.forEach(([heading, ...lines], index) => {
    const content = [
      "BT /F1 18 Tf 72 760 Td 28 TL",
      `(${escape(heading)}) Tj T*`,
      "/F1 11 Tf 16 TL",
      ...lines.map((line) => `(${escape(line)}) Tj T*`),
      "ET",
    ].join("\n");
    const id = pageIds[index];
    objects[id] =
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " +
      `/Resources << /Font << /F1 3 0 R >> >> /Contents ${id + 1} 0 R >>`;
    objects[id + 1] = `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`;
  });
  let pdf = "%PDF-1.4\n";
  const offsets = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = Buffer.byteLength(pdf);
    pdf += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id += 1) pdf += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return { name: `${PDF_TITLE}.pdf`, mimeType: "application/pdf", buffer: Buffer.from(pdf, "latin1") };
}

export function markdownFile() {
  const text = [
    "# Onboarding guide",
    "",
    "New employees collect their laptop from the service desk on the first day.",
    "",
    "## Accounts",
    "",
    "The service desk creates the email account before the start date.",
    "",
  ].join("\n");
  return { name: `${MARKDOWN_TITLE}.md`, mimeType: "text/markdown", buffer: Buffer.from(text) };
}
