import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { origin } from "./helpers";

// The examples are read from the README itself, so the documented requests are the tested ones.
const README = readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");
const README_ORIGIN = "http://127.0.0.1:8787";
const run = promisify(execFile);

type Rows = { data: Array<[string | number, Record<string, unknown>]> };

function readmeExample(language: "sh" | "python"): string {
  const start = README.indexOf("## Synchronous batch endpoint\n");
  const end = README.indexOf("\n## ", start + 1);
  const section = README.slice(start, end === -1 ? undefined : end);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  if (start === -1 || !block) {
    throw new Error(`README.md has no ${language} example under "Synchronous batch endpoint"`);
  }
  return block.replaceAll(README_ORIGIN, origin());
}

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Without curl on the machine, the same request: the README command's URL, headers and body. */
async function fetchLikeCurl(command: string, apiKey: string): Promise<string> {
  const url = /https?:\/\/\S+/.exec(command)?.[0] ?? "";
  const headers = [...command.matchAll(/-H "([^"]*)"/g)].map(([, header = ""]) => {
    const [name = "", ...value] = header.replace("$OPENAI_API_KEY", apiKey).split(":");
    return [name.trim(), value.join(":").trim()] as [string, string];
  });
  const body = /-d '([^']*)'/.exec(command)?.[1];
  const res = await fetch(url, { method: "POST", headers, body });
  return res.text();
}

describe("the README's synchronous batch examples against the local stack", () => {
  const env = { ...process.env, OPENAI_API_KEY: inject("apiKey") };

  it("runs the curl example", async () => {
    const command = readmeExample("sh");
    const stdout = works("curl", ["--version"])
      ? (await run("sh", ["-c", command], { env })).stdout
      : await fetchLikeCurl(command, env.OPENAI_API_KEY);
    const { data } = JSON.parse(stdout) as Rows;
    expect(data.map(([id]) => id)).toEqual([1, 2]);
    for (const [, response] of data) {
      expect(response).toMatchObject({
        object: "chat.completion",
        model: "@cf/meta/llama-3.1-8b-instruct-fast",
        choices: [{ message: { role: "assistant", content: expect.any(String) } }],
      });
    }
  });

  it.skipIf(!works("python3", ["-c", "import requests"]))("runs the Python requests example", async () => {
    const { stdout } = await run("python3", ["-c", readmeExample("python")], { env });
    const { data } = JSON.parse(stdout) as Rows;
    expect(data.map(([id]) => id)).toEqual(["a", "b"]);
    for (const [, response] of data) {
      expect(response).toMatchObject({ object: "list", data: [{ object: "embedding", index: 0 }] });
      const [embedding] = (response as { data: Array<{ embedding: number[] }> }).data;
      expect(embedding?.embedding).toHaveLength(768);
    }
  });
});
