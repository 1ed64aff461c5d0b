// Prints the app's initial JavaScript (gzip) and fails the build past the budget: what
// index.html loads at once (its entry and the chunks the entry imports statically). GraphiQL
// and the lazily loaded admin pages are outside the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET_KB = 300;
const dist = join(import.meta.dirname, "..", "dist");
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));

function initial(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key].imports ?? []) initial(imported, seen);
  return seen;
}

const files = [...initial("index.html")].map((key) => manifest[key].file);
const sizes = files.map((file) => [file, gzipSync(readFileSync(join(dist, file))).length / 1024]);
const total = sizes.reduce((sum, [, kb]) => sum + kb, 0);
for (const [file, kb] of sizes) console.log(`  ${file}  ${kb.toFixed(1)} kB gzip`);
console.log(`initial JavaScript: ${total.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB)`);
if (total > BUDGET_KB) {
  console.error("over the budget: move code behind a lazy import");
  process.exit(1);
}
