// Fails the build when the JavaScript the first page load needs is over budget (gzipped),
// or when a template carries a static style attribute (see the end).
// "Initial" = the entry chunk and every chunk it imports statically (vite's manifest).
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET_BYTES = 150 * 1024;
const out = new URL("../../kleio_server/webui/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(out, ".vite", "manifest.json"), "utf8"));

const initial = new Set();
function visit(key) {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
}
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);

let total = 0;
for (const file of initial) total += gzipSync(readFileSync(join(out, file)), { level: 9 }).length;
const kib = (total / 1024).toFixed(1);
if (total > BUDGET_BYTES) {
  console.error(`bundle budget exceeded: initial JS ${kib} KiB gzipped > ${BUDGET_BYTES / 1024} KiB`);
  process.exit(1);
}
console.log(`bundle budget ok: initial JS ${kib} KiB gzipped (budget ${BUDGET_BYTES / 1024} KiB)`);

// The CSP has no 'unsafe-inline' for styles: a static style="" in a JSX template would be
// written into the page as an attribute and blocked. Dynamic styles go through the CSSOM.
const inline = readdirSync(join(out, "assets"))
  .filter((name) => name.endsWith(".js"))
  .filter((name) => /<[a-z][^<>]*\sstyle=/.test(readFileSync(join(out, "assets", name), "utf8")));
if (inline.length) {
  console.error(`static style attributes (blocked by the CSP) in: ${inline.join(", ")}`);
  process.exit(1);
}
