/**
 * One `run-batch` invocation: check --model and the input, upload it, create the batch (or take
 * the one named by --batch-id), follow it, then write the results. Ctrl-C is routed here through
 * `interrupt()` so a running batch is cancelled on the server and its partial output is still
 * written; the summary reports what the batch really did, since a cancel can come too late.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { isHttpUrl } from "./args.mjs";
import { CliError, EXIT, usageError } from "./errors.mjs";
import { checkInput } from "./input.mjs";
import { isModelServed } from "./models.mjs";
import { createWaiter, pollUntilTerminal } from "./poll.mjs";
import { ProgressReporter } from "./progress.mjs";
import { writeResults } from "./results.mjs";
import { downloadToFile } from "./transfer.mjs";
import { uploadInput, uploadSettings } from "./upload.mjs";

/** @typedef {import("./args.mjs").RunBatchOptions} RunBatchOptions */
/** @typedef {{ write(s: string): unknown, isTTY?: boolean, columns?: number }} Out */

export class BatchRun {
  /**
   * @param {RunBatchOptions} options
   * @param {{ client: OpenAI, stdout: Out, stderr: Out }} io
   */
  constructor(options, { client, stdout, stderr }) {
    this.options = options;
    this.client = client;
    this.stdout = stdout;
    this.stderr = stderr;
    /** @type {"preparing" | "creating" | "running" | "finishing"} */
    this.phase = "preparing";
    /** @type {string | null} */
    this.batchId = null;
    /** @type {string | null} the last status the server reported */
    this.lastStatus = null;
    this.cancelRequested = false;
    /** Whether a cancel was sent: the batch may still complete if it came too late. */
    this.cancelSent = false;
    this.waiter = createWaiter();
    /** @type {string | null} */
    this.workDir = null;
    /** @type {ProgressReporter | null} */
    this.reporter = null;
  }

  /** @param {string} message */
  log(message) {
    if (this.reporter) {
      this.reporter.note(`run-batch: ${message}`);
    } else {
      this.stderr.write(`run-batch: ${message}\n`);
    }
  }

  /** @returns {Promise<number>} the exit code */
  async run() {
    const o = this.options;
    this.workDir = await mkdtemp(path.join(tmpdir(), "run-batch-"));
    try {
      await checkLocalTargets(o);
      if (o.model !== null && o.batchId === null) {
        await this.checkModel(o.model);
      }
      const inputPath = await this.localInput();
      const plan = await checkInput(inputPath, {
        model: o.model,
        endpoint: o.endpoint,
        rewritePath: path.join(this.workDir, "filled.jsonl"),
        label: o.inputFile,
      });
      if (o.batchId === null) {
        const detachedExit = await this.submit(plan);
        if (detachedExit !== null) {
          return detachedExit;
        }
      } else {
        this.batchId = o.batchId;
        this.log(`${plan.requests} requests in ${o.inputFile}; following ${o.batchId}`);
      }
      const batchId = /** @type {string} */ (this.batchId);
      this.phase = "running";

      const startedAt = Date.now();
      this.reporter = new ProgressReporter({ batchId, stream: this.stderr });
      const final = await step(`following ${batchId}`, o.baseUrl, () =>
        pollUntilTerminal({
          retrieve: () => this.client.batches.retrieve(batchId),
          intervalMs: o.pollIntervalMs,
          sleep: (ms) => this.waiter.sleep(ms),
          onUpdate: (b) => {
            this.lastStatus = b.status;
            this.reporter?.update(b);
          },
          isTransient,
          onTransientError: (err, n) =>
            this.log(`status check failed (${n} in a row), retrying: ${describe(err)}`),
        }),
      );
      this.reporter.end();
      this.reporter = null;
      this.phase = "finishing";
      return await this.finish(final, plan.order, (Date.now() - startedAt) / 1000);
    } finally {
      this.reporter?.end();
      await rm(this.workDir, { recursive: true, force: true });
    }
  }

  /**
   * Fails with a usage error, before anything is uploaded, when the server does not serve `model`.
   * @param {string} model
   */
  async checkModel(model) {
    const o = this.options;
    const served = await step(`checking --model ${model}`, o.baseUrl, () =>
      isModelServed(this.client, model),
    );
    if (served === false) {
      throw usageError(`--model: the server has no model '${model}'; nothing was uploaded.`, [
        `the models it serves: GET ${o.baseUrl}/models`,
      ]);
    }
    if (served === null) {
      this.log(`the server lists no models; it will check --model ${model} itself`);
    }
  }

  /**
   * Uploads the checked input and creates the batch.
   * @param {import("./input.mjs").InputPlan} plan
   * @returns {Promise<number | null>} the exit code when there is nothing to follow (--detach)
   */
  async submit(plan) {
    const o = this.options;
    const filledNote = plan.filled > 0 ? ` (model/url filled in on ${plan.filled} lines)` : "";
    this.log(`${plan.requests} requests for ${plan.endpoint}${filledNote}; uploading`);

    const file = await step("uploading the input", o.baseUrl, () =>
      uploadInput(this.client, plan.uploadPath, uploadName(o.inputFile), {
        ...uploadSettings(process.env),
        onProgress: (p) =>
          this.log(
            `uploaded part ${p.partsDone}/${p.parts} (${(p.sentBytes / 1e6).toFixed(1)} of ${(p.totalBytes / 1e6).toFixed(1)} MB)`,
          ),
      }),
    );

    this.phase = "creating";
    const batch = await step("creating the batch", o.baseUrl, () =>
      this.client.batches.create(
        /** @type {OpenAI.Batches.BatchCreateParams} */ ({
          input_file_id: file.id,
          endpoint: plan.endpoint,
          completion_window: o.completionWindow,
          ...(o.metadata ? { metadata: o.metadata } : {}),
          // Extensions of this server; other OpenAI-compatible servers ignore unknown fields.
          ...(o.model ? { model: o.model } : {}),
          ...(o.webhookUrl ? { webhook_url: o.webhookUrl } : {}),
        }),
        // The SDK retries a create that timed out; the key keeps that from making two batches.
        { headers: { "Idempotency-Key": randomUUID() } },
      ),
    );
    this.batchId = batch.id;
    this.lastStatus = batch.status;
    if (this.cancelRequested) {
      await this.cancel();
      if (o.detach) {
        return EXIT.interrupted;
      }
    }
    if (o.detach) {
      this.stdout.write(`${batch.id}\n`);
      this.log(`created ${batch.id} (detached; follow it with GET ${o.baseUrl}/batches/${batch.id})`);
      return EXIT.ok;
    }
    this.log(`created ${batch.id} from ${file.id}`);
    return null;
  }

  /**
   * Called on the first Ctrl-C.
   * @returns {boolean} false when there is nothing to wait for and the process should exit now
   */
  interrupt() {
    switch (this.phase) {
      case "preparing":
        return false;
      case "creating":
        this.cancelRequested = true;
        this.log("Ctrl-C: the batch will be cancelled as soon as it exists (Ctrl-C again to stop waiting)");
        return true;
      case "running":
        this.cancel();
        return true;
      case "finishing":
        this.log("Ctrl-C: writing the results first (Ctrl-C again to stop waiting)");
        return true;
    }
  }

  /** Synchronous so the second Ctrl-C can clean up on its way out. */
  workDirToRemove() {
    return this.workDir;
  }

  async cancel() {
    if (this.batchId === null) {
      return;
    }
    this.log(`Ctrl-C: cancelling ${this.batchId}; waiting for it to stop (Ctrl-C again to stop waiting)`);
    this.cancelSent = true;
    try {
      this.lastStatus = (await this.client.batches.cancel(this.batchId)).status;
    } catch (err) {
      // 409: it already reached a terminal status, which the next poll will show.
      if (!(err instanceof OpenAI.ConflictError)) {
        this.log(`cancel failed: ${describe(err)}`);
      }
    }
    this.waiter.wake();
  }

  /** @returns {Promise<string>} a local path to the input */
  async localInput() {
    const input = this.options.inputFile;
    if (isHttpUrl(input)) {
      const dest = path.join(/** @type {string} */ (this.workDir), "input.jsonl");
      this.log(`downloading ${input}`);
      await downloadToFile(input, dest);
      return dest;
    }
    const info = await stat(input).catch(() => null);
    if (info === null || !info.isFile()) {
      throw usageError(`--input-file: '${input}' ${info === null ? "does not exist" : "is not a file"}.`);
    }
    return input;
  }

  /**
   * @param {OpenAI.Batches.Batch} batch in a terminal status
   * @param {Map<string, number>} order
   * @param {number} seconds
   */
  async finish(batch, order, seconds) {
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    if (batch.status === "failed") {
      const errors = batch.errors?.data ?? [];
      this.stderr.write(`run-batch: ${batch.id} failed; the server rejected the input:\n`);
      for (const e of errors) {
        const where = e.line === null || e.line === undefined ? "input" : `line ${e.line}`;
        this.stderr.write(`  ${where}: ${e.message ?? ""}${e.code ? ` [${e.code}]` : ""}\n`);
      }
      this.stderr.write("run-batch: no output was written.\n");
      return EXIT.batchNotCompleted;
    }

    const o = this.options;
    const report = await step(`writing the results of ${batch.id}`, o.baseUrl, () =>
      writeResults({
        client: this.client,
        batch,
        order,
        outputFile: /** @type {string} */ (o.outputFile),
        errorFile: o.errorFile,
        workDir: /** @type {string} */ (this.workDir),
        stagingDir: o.outputTmpDir ?? tmpdir(),
        log: (m) => this.log(m),
      }),
    );
    if (report.missing.length > 0) {
      const sample = report.missing.slice(0, 5).join(", ");
      this.log(`warning: ${report.missing.length} requests have no result line (${sample}…)`);
    }
    const status = outcome(batch.status, report);
    if (status !== batch.status || (this.cancelSent && status === "completed")) {
      const late = this.cancelSent ? "the cancel came too late: " : "";
      const listed = status === batch.status ? "" : ` (the server lists the batch as ${batch.status})`;
      this.log(`${late}every request of ${batch.id} had already started, so it completed${listed}`);
    }
    const where = o.errorFile ? `${o.outputFile} (errors: ${o.errorFile})` : o.outputFile;
    this.stderr.write(
      `run-batch: ${batch.id} ${status} in ${Math.round(seconds)}s: ${counts.completed} ok, ` +
        `${counts.failed} failed of ${counts.total}; wrote ${report.succeeded + report.failed} lines to ${where}\n`,
    );
    if (status !== "completed") {
      return EXIT.batchNotCompleted;
    }
    return counts.failed > 0 || report.failed > 0 ? EXIT.someLinesFailed : EXIT.ok;
  }
}

/**
 * What a finished batch really did. A cancel that arrives once every request is running or has run
 * stops nothing: the server may still list the batch as cancelled, but every request has its real
 * result, which is a completed batch to the user.
 * @param {string} status the server's terminal status
 * @param {import("./output.mjs").MergeReport} report
 */
function outcome(status, report) {
  const everyRequestRan = report.notRun === 0 && report.missing.length === 0;
  return status === "cancelled" && everyRequestRan ? "completed" : status;
}

/** Output targets that are local must be writable places; finding out after the batch ran is too late. */
/** @param {RunBatchOptions} o */
async function checkLocalTargets(o) {
  for (const [flag, target] of /** @type {const} */ ([
    ["--output-file", o.outputFile],
    ["--error-file", o.errorFile],
  ])) {
    if (target === null || isHttpUrl(target)) {
      continue;
    }
    const dir = await stat(path.dirname(path.resolve(target))).catch(() => null);
    if (dir === null || !dir.isDirectory()) {
      throw usageError(`${flag}: the folder of '${target}' does not exist.`);
    }
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) {
      throw usageError(`${flag}: '${target}' is a folder.`);
    }
  }
  if (o.outputTmpDir !== null) {
    const dir = await stat(o.outputTmpDir).catch(() => null);
    if (dir === null || !dir.isDirectory()) {
      throw usageError(`--output-tmp-dir: '${o.outputTmpDir}' is not a folder.`);
    }
  }
}

/** The server wants a .jsonl file name for purpose=batch, whatever the input is called. */
/** @param {string} input */
export function uploadName(input) {
  const base = isHttpUrl(input) ? path.posix.basename(new URL(input).pathname) : path.basename(input);
  if (base.endsWith(".jsonl")) {
    return base;
  }
  const stem = base.replace(/\.[^.]*$/, "");
  return `${stem || "input"}.jsonl`;
}

/**
 * Runs one network step so that its failure says which step it was.
 * @template T
 * @param {string} label
 * @param {string} baseUrl
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function step(label, baseUrl, fn) {
  try {
    return await fn();
  } catch (err) {
    const cliError = toCliError(err, baseUrl);
    throw new CliError(`${label}: ${cliError.message}`, cliError.exitCode, {
      cause: err,
      details: cliError.details,
    });
  }
}

/** @param {unknown} err */
function isTransient(err) {
  return (
    err instanceof OpenAI.APIConnectionError ||
    err instanceof OpenAI.RateLimitError ||
    err instanceof OpenAI.InternalServerError
  );
}

/** @param {unknown} err */
function describe(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Maps anything thrown by a run to a message and an exit code.
 * @param {unknown} err
 * @param {string} baseUrl
 * @returns {CliError}
 */
export function toCliError(err, baseUrl) {
  if (err instanceof CliError) {
    return err;
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new CliError(`cannot reach ${baseUrl}: ${describe(err)}`, EXIT.network, { cause: err });
  }
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) {
    const hint = "check --api-key or OPENAI_API_KEY";
    return new CliError(`${baseUrl} refused the API key (${describe(err)}); ${hint}.`, EXIT.network, {
      cause: err,
    });
  }
  if (err instanceof OpenAI.BadRequestError || err instanceof OpenAI.UnprocessableEntityError) {
    const param = err.param ? ` (param: ${err.param})` : "";
    return new CliError(`the server rejected the request: ${describe(err)}${param}`, EXIT.usage, {
      cause: err,
    });
  }
  if (err instanceof OpenAI.APIError) {
    return new CliError(`${baseUrl} answered with an error: ${describe(err)}`, EXIT.network, { cause: err });
  }
  const code = /** @type {{ code?: unknown }} */ (err)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new CliError(`file error: ${describe(err)}`, EXIT.usage, { cause: err });
  }
  return new CliError(
    `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    EXIT.network,
    {
      cause: err,
    },
  );
}
