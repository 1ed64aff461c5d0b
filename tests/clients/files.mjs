// Opens Beacon's downloadUrls in Chromium: an uploaded PDF shows inline at `#page=N`, and an
// uploaded HTML file cannot run its script on Beacon's origin.
// Usage: node files.mjs <absolute PDF downloadUrl> <absolute HTML downloadUrl>; exits non-zero
// with the reasons when anything differs, or when a check could not have seen a failure.
//
// The HTML file's script sets the title to "script ran" and requests /script-ran. Visits:
// 1. as served: the browser must download it (attachment), never show it;
// 2. as served but without Content-Disposition, as if a browser ignored it: the page is
//    shown, and the sandbox CSP alone must stop the script;
// 3. the control: without Content-Disposition and CSP the script runs, which proves the
//    probe would have noticed in 1 and 2.
import { chromium } from "playwright-core";

const [pdfUrl, url] = process.argv.slice(2);
if (!pdfUrl || !url) throw new Error("usage: node files.mjs <pdf downloadUrl> <html downloadUrl>");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCRIPT_RAN = "script ran";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const failures = [];
try {
  // The PDF, sandboxed too, opens in the browser's viewer at the page the link names.
  {
    const { page } = await visit();
    let downloaded = false;
    page.on("download", () => {
      downloaded = true;
    });
    await page.goto(`${pdfUrl}#page=2`);
    const viewer = await eventually(
      async () => page.frames().find((frame) => frame.url().startsWith("chrome-extension://")),
      (frame) => frame !== undefined,
    );
    if (!viewer || downloaded) {
      failures.push(`the PDF was not shown inline (downloaded: ${downloaded})`);
    } else {
      const pageNumber = viewer.locator('input[aria-label="Page number"]');
      await pageNumber.waitFor({ timeout: 15000 });
      const shown = await eventually(() => pageNumber.inputValue(), (value) => value === "2");
      if (shown !== "2") failures.push(`the PDF viewer shows page ${shown}, not 2`);
    }
    await page.context().close();
  }
  // 1. The HTML file as served.
  {
    const { page, probes } = await visit();
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 15000 }),
      page.goto(url).catch(() => null), // a download aborts the navigation
    ]);
    const name = download.suggestedFilename();
    if (name !== "policy.html") failures.push(`download named ${name}`);
    const title = await page.title();
    if (title === SCRIPT_RAN || probes.length) failures.push(`as served the script ran`);
    await page.context().close();
  }
  // 2. Rendered despite the attachment: only the CSP stands in the way.
  {
    const { page, probes } = await visit((headers) => {
      delete headers["content-disposition"];
      return headers;
    });
    const response = await page.goto(url);
    const csp = response.headers()["content-security-policy"];
    if (csp !== "sandbox") failures.push(`CSP is ${csp}`);
    await page.waitForLoadState("load");
    const body = await page.textContent("body");
    if (!body.includes("Travel policy")) failures.push(`the page was not rendered: ${body}`);
    if ((await page.title()) === SCRIPT_RAN || probes.length) {
      failures.push("rendered with the sandbox CSP, the script ran");
    }
    await page.context().close();
  }
  // 3. Control: with neither header the same page runs its script.
  {
    const { page, probed } = await visit((headers) => {
      delete headers["content-disposition"];
      delete headers["content-security-policy"];
      return headers;
    });
    await page.goto(url);
    await page.waitForFunction(() => document.title === "script ran", null, { timeout: 15000 });
    const late = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("control: no probe request in 15 s")), 15000).unref(),
    );
    await Promise.race([probed, late]);
    await page.context().close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("the PDF opened at page 2; the HTML file never ran its script on Beacon's origin");

// A fresh context whose file responses pass through `rewrite` (when given), the requests the
// file's script made, and a promise settled by the first.
async function visit(rewrite) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const probes = [];
  const probed = new Promise((resolve) => {
    page.on("request", (request) => {
      if (!request.url().includes("/script-ran")) return;
      probes.push(request.url());
      resolve();
    });
  });
  if (rewrite) {
    await page.route(/\/files\//, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: rewrite({ ...response.headers() }) });
    });
  }
  return { page, probes, probed };
}

// What `read` answers once `ok` accepts it, or after 15 s whatever it answers then.
async function eventually(read, ok) {
  const deadline = Date.now() + 15000;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
