import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { origin } from "./helpers";

// The README's quickstart must work verbatim on a fresh clone: its SDK snippet is the shipped
// examples/quickstart.mjs, run here as the README says (`node examples/quickstart.mjs`, from the
// checkout) against the stack, with the base URL and key `npm start` prints.
const ROOT = path.join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** The first js block of a README section. */
function readmeExample(section: string): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`## ${section}\n`);
  const end = readme.indexOf("\n## ", start + 1);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(start, end === -1 ? undefined : end))?.[1];
  if (start === -1 || !block) {
    throw new Error(`README.md has no js example under "${section}"`);
  }
  return block;
}

const example = (name: string) => readFileSync(path.join(ROOT, "examples", name), "utf8");

describe("the README's quickstart", () => {
  it.each([
    ["Quickstart", "quickstart.mjs"],
    ["Webhooks", "webhook-receiver.mjs"],
  ])("shows under %s examples/%s as it is", (section, name) => {
    expect(readmeExample(section)).toBe(example(name));
  });

  it("runs examples/requests.jsonl as a batch and prints every answer", async () => {
    const env = { ...process.env, OPENAI_BASE_URL: `${origin()}/v1`, OPENAI_API_KEY: inject("apiKey") };
    const { stdout } = await run(process.execPath, ["examples/quickstart.mjs"], { cwd: ROOT, env });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^batch_\S+: completed \{ total: 3, completed: 3, failed: 0 \}$/);
    expect(lines.slice(1).map((line) => line.split(":")[0])).toEqual(["req-1", "req-2", "req-3"]);
    expect(lines[1]).toContain("llama-3.1-8b-instruct-fast");
  });
});
