// Bundles src/index.js into one minified IIFE, dist/kefu-widget.js; src/widget.css is minified and
// imported as a string through esbuild's text loader.
import { build, transform } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
/** Browsers of the es2019 era; keeps esbuild from emitting newer CSS shorthands such as `inset`. */
const cssTarget = ["chrome80", "edge80", "firefox78", "safari13"];

/** Minifies imported .css files, then hands them to the text loader. */
const cssAsMinifiedText = {
  name: "css-as-minified-text",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const { code } = await transform(source, { loader: "css", minify: true, target: cssTarget });
      return { contents: code.trim(), loader: "text" };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/index.js"],
  outfile: "dist/kefu-widget.js",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2019",
  minify: true,
  legalComments: "eof",
  plugins: [cssAsMinifiedText],
  metafile: true,
  logLevel: "warning",
});

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`dist/kefu-widget.js  ${(bytes / 1024).toFixed(1)} KiB`);
