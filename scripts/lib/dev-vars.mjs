// Local secrets: `wrangler dev` reads .dev.vars next to wrangler.toml and shows its values as
// "(hidden)" in the bindings table, where a [vars] entry would print the value. The file is
// gitignored, so a fresh clone gets it from the committed .dev.vars.example.
import fs from "node:fs";
import path from "node:path";

/** Creates `<root>/.dev.vars` from `.dev.vars.example` if it is missing; returns whether it did. */
export function ensureDevVars(root) {
  const target = path.join(root, ".dev.vars");
  if (fs.existsSync(target)) {
    return false;
  }
  // link() fails if the file appeared meanwhile, so stacks started side by side (the e2e tests,
  // benchmarks) never see a half-written file nor overwrite one
  const temp = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(root, ".dev.vars.example"), temp);
  try {
    fs.linkSync(temp, target);
    return true;
  } catch (err) {
    if (err.code === "EEXIST") {
      return false;
    }
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
