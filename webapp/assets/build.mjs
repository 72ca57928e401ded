// Bundles each entry script of webapp/assets (every *.js here but this file) with the npm packages it imports,
// into webapp/static/build/ (ignored by git; the set-up command runs this). Nothing bundled is committed.
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entries = readdirSync(here)
  .filter((name) => name.endsWith(".js") && !name.startsWith("_"))
  .map((name) => join(here, name));

if (entries.length === 0) {
  console.log("no entry scripts in webapp/assets: nothing to bundle");
} else {
  await build({
    entryPoints: entries,
    bundle: true,
    outdir: join(here, "..", "static", "build"),
    format: "iife",
    target: ["es2020"],
    minify: true,
    sourcemap: true,
    // fonts as files beside the bundle: the Content-Security-Policy allows fonts from 'self', not data: URLs
    loader: { ".svg": "dataurl", ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file" },
    assetNames: "assets/[name]-[hash]",
    logLevel: "warning",
  });
  console.log(`bundled ${entries.length} entry script(s) into webapp/static/build/`);
}
