import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type LocalStack, prepareState, startStack } from "../../scripts/lib/local-stack.mjs";
import { localClient } from "./helpers";

// `scripts/api-keys.mjs` against a state folder of its own, and the keys it makes used with the
// official SDK. No process may write the state of a running stack, so the script only runs while no
// stack runs on that folder, and the keys are then checked on a short-lived stack started on it:
// once after creating them, and once more after revoking one.
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "api-keys.mjs");

type Run = { code: number; stdout: string; stderr: string };

let stateDir = "";
let stack: LocalStack | undefined;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), "batch-api-keys-e2e-"));
  // what `npm start` does first: the migrations and the local key, with no stack running yet
  await prepareState(stateDir);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

function runKeys(args: string[]): Promise<Run> {
  if (stack) {
    throw new Error("the keys script must not write the state folder of a running stack");
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args, "--local", "--persist-to", stateDir],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function runOk(args: string[]): Promise<string> {
  const run = await runKeys(args);
  expect(run, `keys ${args.join(" ")} failed:\n${run.stderr}`).toMatchObject({ code: 0 });
  return run.stdout;
}

/** Starts a stack on the keys' state folder, runs `check` with clients for it, and stops the stack. */
async function withStack(check: (client: (apiKey: string) => OpenAI) => Promise<void>): Promise<void> {
  stack = await startStack({ stateDir });
  const { origin } = stack;
  try {
    await check((apiKey) => localClient({ apiKey, origin }));
  } finally {
    await stack.stop();
    stack = undefined;
  }
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** Auth passed if the SDK got anything but 401; with the Files API mounted it is the project's (empty) list. */
async function expectAuthenticated(sdk: OpenAI): Promise<void> {
  const result: unknown = await sdk.files.list().then(
    (page) => page,
    (err: unknown) => err,
  );
  expect(result).not.toBeInstanceOf(OpenAI.AuthenticationError);
  if (!(result instanceof OpenAI.NotFoundError)) {
    // a new project owns no files
    expect(result).not.toBeInstanceOf(Error);
    expect((result as { data: unknown[] }).data).toEqual([]);
  }
}

describe("npm run keys (scripts/api-keys.mjs)", () => {
  const project = `e2e-${randomUUID()}`;
  let key = "";
  let keyId = "";
  let projectId = "";
  let secondKey = "";
  let hostileKey = "";

  it("rejects bad usage with exit code 2 and a clear message", async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /missing command/],
      [["frobnicate"], /unknown command/],
      [["create"], /create needs --project/],
      [["create", "--project", "bad\nname"], /--project must not contain control characters/],
      [["create", "--project", project, "--name", "tab\there"], /--name must not contain control characters/],
      [["revoke"], /needs a key id/],
      [["revoke", "not-a-key"], /not an API key id/],
      [["list", "--remote"], /--local and --remote exclude each other/],
      [["projects", "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const run = await runKeys(args);
      expect(run.code, `keys ${args.join(" ")}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  });

  it("creates a project and a key, and prints the key once with a warning", async () => {
    const stdout = await runOk(["create", "--project", project, "--name", "e2e key"]);
    const keys = stdout.match(/sk-[0-9A-Za-z]+/g) ?? [];
    expect(keys).toHaveLength(1);
    key = keys[0] ?? "";
    expect(key).toMatch(/^sk-[0-9A-Za-z]{40,}$/);
    expect(stdout).toMatch(/cannot be shown again/);
    keyId = /Created API key (key_[0-9A-Z]+)/.exec(stdout)?.[1] ?? "";
    projectId = /Created project "[^"]*" \((proj_[0-9A-Z]+)\)/.exec(stdout)?.[1] ?? "";
    expect(keyId).not.toBe("");
    expect(projectId).not.toBe("");
  });

  it("reuses the project by name and lists keys without the key or its hash", async () => {
    const second = JSON.parse(await runOk(["create", "--project", project, "--json"]));
    expect(second).toMatchObject({ project_id: projectId, project: project, project_created: false });
    expect(second.key).toMatch(/^sk-[0-9A-Za-z]{40,}$/);
    expect(second.key).not.toBe(key);
    secondKey = second.key;

    const table = await runOk(["list", "--project", project]);
    const all = await runOk(["list"]);
    const json = await runOk(["list", "--project", projectId, "--json"]);
    for (const out of [table, all, json]) {
      expect(out).toContain(keyId);
      for (const secret of [key, second.key, sha256(key), sha256(second.key)]) {
        expect(out).not.toContain(secret);
      }
    }
    expect(table).toContain(`${key.slice(0, 8)}...`);
    expect(table).toContain("e2e key");
    const rows = JSON.parse(json);
    expect(rows).toEqual([
      {
        id: keyId,
        project_id: projectId,
        project,
        hint: key.slice(0, 8),
        name: "e2e key",
        created_at: expect.any(Number),
        revoked_at: null,
      },
      expect.objectContaining({ id: second.id, name: null, revoked_at: null }),
    ]);

    const projects = JSON.parse(await runOk(["projects", "--json"]));
    expect(projects).toContainEqual(
      expect.objectContaining({ id: projectId, name: project, active_keys: 2 }),
    );
    expect(await runOk(["projects"])).toContain(projectId);
  });

  it("quotes user input in SQL: a hostile project name is stored as given", async () => {
    const name = `O'Brien"; DROP TABLE api_keys; -- ${randomUUID()}`;
    const created = JSON.parse(await runOk(["create", "--project", name, "--name", "it's; fine", "--json"]));
    expect(created).toMatchObject({ project: name, name: "it's; fine", project_created: true });
    const [row] = JSON.parse(await runOk(["list", "--project", name, "--json"]));
    expect(row).toMatchObject({ id: created.id, project: name, name: "it's; fine" });
    hostileKey = created.key;
  });

  it("the new keys authenticate with the openai SDK on a stack started on that state", async () => {
    await withStack(async (client) => {
      await expectAuthenticated(client(key));
      await expectAuthenticated(client(secondKey));
      await expectAuthenticated(client(hostileKey));
      // the tables survived the hostile name and the key every local stack seeds still works
      const seeded: unknown = await client(inject("apiKey"))
        .files.list()
        .catch((err: unknown) => err);
      expect(seeded).not.toBeInstanceOf(OpenAI.AuthenticationError);
      // and a key the script never made does not
      await expect(client("sk-not-a-key-of-this-stack").files.list()).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
    });
  });

  it("revokes the key: on the stack started next, the SDK raises AuthenticationError", async () => {
    expect(await runOk(["revoke", keyId])).toMatch(new RegExp(`Revoked API key ${keyId}`));
    expect(await runOk(["revoke", keyId])).toMatch(/already revoked/);
    const [revoked] = JSON.parse(await runOk(["list", "--project", project, "--json"]));
    expect(revoked).toMatchObject({ id: keyId, revoked_at: expect.any(Number) });

    const unknown = await runKeys(["revoke", "key_DOESNOTEXIST"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no API key has the id key_DOESNOTEXIST/);

    await withStack(async (client) => {
      const revokedClient = client(key);
      await expect(revokedClient.files.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      await expect(revokedClient.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      // the project's other key is not affected
      await expectAuthenticated(client(secondKey));
    });
  });

  it("runs as `npm run keys`", async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(
        "npm",
        ["run", "-s", "keys", "--", "--help"],
        { cwd: ROOT, encoding: "utf8" },
        (err, stdout, stderr) => resolve({ code: err ? -1 : 0, stdout, stderr }),
      );
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/create --project <name-or-id>/);
  });
});
