import { describe, expect, it } from "vitest";
import { fileErrors } from "../../../src/domain/jsonl/batch-errors";
import {
  type InvalidInput,
  type ValidateInputOptions,
  type ValidInput,
  validateInput,
} from "../../../src/domain/jsonl/validate-input";
import { BGE, chatLine, encode, FakeCatalogue, jsonl, LLAMA, MISTRAL_LORA, streamOf } from "./helpers";

const options = (extra: Partial<ValidateInputOptions> = {}): ValidateInputOptions => ({
  endpoint: "/v1/chat/completions",
  catalogue: new FakeCatalogue(),
  ...extra,
});

async function validate(bytes: Uint8Array, extra: Partial<ValidateInputOptions> = {}, sizes?: number[]) {
  return validateInput(streamOf(bytes, sizes), options(extra));
}

async function invalid(bytes: Uint8Array, extra: Partial<ValidateInputOptions> = {}): Promise<InvalidInput> {
  const result = await validate(bytes, extra);
  expect(result.ok).toBe(false);
  return result as InvalidInput;
}

async function valid(bytes: Uint8Array, extra: Partial<ValidateInputOptions> = {}): Promise<ValidInput> {
  const result = await validate(bytes, extra);
  expect(result).toMatchObject({ ok: true });
  return result as ValidInput;
}

const withModel = (id: string, model: unknown) =>
  chatLine(id, { body: { model, messages: [{ role: "user", content: "hi" }] } });

const DUPLICATE = {
  code: "duplicate_custom_id",
  message:
    "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.",
  param: "custom_id",
};

describe("validateInput", () => {
  it("accepts a good file: total, the batch model and one chunk", async () => {
    const bytes = jsonl([chatLine("a"), chatLine("b"), chatLine("c")]);
    const result = await valid(bytes);
    expect(result.total).toBe(3);
    expect(result.model).toMatchObject({ id: LLAMA, lora: null });
    expect(result.chunks).toEqual([
      {
        index: 0,
        byteStart: 0,
        byteEnd: bytes.byteLength - 1,
        firstLine: 1,
        firstRequest: 0,
        requestCount: 3,
      },
    ]);
  });

  it("lists one error per bad line, in line order, with file line numbers that count blank lines", async () => {
    const bytes = jsonl([
      chatLine("ok-1"),
      "",
      chatLine("r2", { custom_id: undefined }),
      "not json",
      "   ",
      chatLine("r5", { url: "/v1/embeddings" }),
      withModel("r6", "nonexistent-model-xyz"),
      chatLine("ok-7"),
    ]);
    const result = await invalid(bytes);
    expect(result.errors).toEqual([
      {
        code: "missing_required_parameter",
        message: "Missing required parameter: 'custom_id'.",
        param: "custom_id",
        line: 3,
      },
      {
        code: "invalid_json_line",
        message: "This line is not parseable as valid JSON.",
        param: null,
        line: 4,
      },
      {
        code: "invalid_url",
        message: "The URL provided for this request does not match the batch endpoint.",
        param: "url",
        line: 6,
      },
      {
        code: "model_not_found",
        message: "The provided model 'nonexistent-model-xyz' is not supported by the Batch API.",
        param: "body.model",
        line: 7,
      },
    ]);
    expect(result).toMatchObject({ total: 6, omitted: 0 });
  });

  it("reports invalid UTF-8 and over-long lines", async () => {
    const bytes = new Uint8Array([
      ...encode(`${chatLine("a")}\n{"x":"`),
      0xc3,
      0x28,
      ...encode(`"}\n${"z".repeat(300)}\n`),
    ]);
    const result = await invalid(bytes, { maxLineBytes: 256 });
    expect(result.errors).toEqual([
      {
        code: "invalid_json_line",
        message: "This line is not parseable as valid JSON.",
        param: null,
        line: 2,
      },
      {
        code: "line_too_large",
        message: "This line is 300 bytes, over the limit of 256 bytes per line.",
        param: null,
        line: 3,
      },
    ]);
  });

  it("flags every repeat of a custom_id, including repeats of a bad line", async () => {
    const bytes = jsonl([
      chatLine("a"),
      chatLine("b", { method: "GET" }),
      chatLine("a"),
      chatLine("b"),
      chatLine("c"),
      chatLine("a"),
    ]);
    const result = await invalid(bytes);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [2, "invalid_value"],
      [3, "duplicate_custom_id"],
      [4, "duplicate_custom_id"],
      [6, "duplicate_custom_id"],
    ]);
    expect(result.errors[1]).toEqual({ ...DUPLICATE, line: 3 });
  });

  it("tells hostile 1 MB custom_ids apart by content, not by prefix", async () => {
    const long = "i".repeat(1024 * 1024);
    const bytes = jsonl([chatLine(`${long}A`), chatLine(`${long}B`), chatLine(`${long}A`)]);
    const result = await invalid(bytes);
    expect(result.errors).toEqual([{ ...DUPLICATE, line: 3 }]);
  });

  it("treats custom_ids as exact strings", async () => {
    await valid(jsonl([chatLine("a"), chatLine("A"), chatLine("a "), chatLine("")]));
  });

  it("rejects a second model and names both", async () => {
    const bytes = jsonl([
      withModel("a", LLAMA),
      withModel("b", "llama-3.1-8b"),
      withModel("c", MISTRAL_LORA),
    ]);
    const result = await invalid(bytes);
    expect(result.errors).toEqual([
      {
        code: "model_mismatch",
        message: `This request uses the model '${MISTRAL_LORA}', but earlier requests in this batch use '${LLAMA}'. A batch can only include requests to a single model.`,
        param: "body.model",
        line: 3,
      },
    ]);
  });

  it("takes the batch model from the first valid line", async () => {
    const bytes = jsonl([withModel("a", "nope"), withModel("b", MISTRAL_LORA), withModel("c", LLAMA)]);
    const result = await invalid(bytes);
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [1, "model_not_found"],
      [3, "model_mismatch"],
    ]);
  });

  describe("with a base model", () => {
    it("accepts LoRA adapters and missing models on it, and returns the base as the batch model", async () => {
      const bytes = jsonl([
        withModel("a", "adapter-1"),
        withModel("b", undefined),
        withModel("c", "adapter-2"),
      ]);
      const result = await valid(bytes, { baseModel: MISTRAL_LORA });
      expect(result.model).toMatchObject({ id: MISTRAL_LORA, requested: MISTRAL_LORA, lora: null });
    });

    it("rejects a line that names another full model", async () => {
      const result = await invalid(jsonl([withModel("a", "adapter-1"), withModel("b", LLAMA)]), {
        baseModel: MISTRAL_LORA,
      });
      expect(result.errors).toMatchObject([{ code: "model_mismatch", line: 2 }]);
    });

    it("fails the batch once, without reading, when the base model is unknown", async () => {
      let cancelled = false;
      const stream = streamOf(jsonl([chatLine("a")]), [10], { onCancel: () => (cancelled = true) });
      const result = await validateInput(stream, options({ baseModel: "nope" }));
      expect(result).toEqual({
        ok: false,
        total: 0,
        model: "nope",
        omitted: 0,
        errors: [
          {
            code: "model_not_found",
            message: "The provided model 'nope' is not supported by the Batch API.",
            param: "model",
            line: null,
          },
        ],
      });
      expect(cancelled).toBe(true);
    });

    it("fails the batch once when the base model does not fit the endpoint", async () => {
      const result = await invalid(jsonl([chatLine("a")]), { baseModel: BGE });
      expect(result.errors).toEqual([
        {
          code: "invalid_request",
          message: `The model '${BGE}' is a text-embeddings model and cannot be used with /v1/chat/completions.`,
          param: "model",
          line: null,
        },
      ]);
    });
  });

  it.each([
    ["an empty file", ""],
    ["a file of blank lines", "\n\n  \r\n"],
    ["a BOM alone", "\uFEFF"],
  ])("fails %s with empty_file", async (_label, text) => {
    const result = await invalid(encode(text));
    expect(result.errors).toEqual([
      { code: "empty_file", message: "The input file contains no requests.", param: null, line: null },
    ]);
  });

  it("accepts 50,000 requests and stops at the 50,001st with too_many_tasks", async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => chatLine(`r${i}`));
    expect(await valid(jsonl(lines))).toMatchObject({ total: 50_000 });

    const result = await invalid(jsonl([...lines, chatLine("r50000"), "garbage after the limit"]));
    expect(result.errors).toEqual([
      {
        code: "too_many_tasks",
        message: "This batch has more than 50,000 requests. A batch can include at most 50,000 requests.",
        param: null,
        line: 50_001,
      },
    ]);
    expect(result.total).toBe(50_001);
  });

  it("stops reading at the request past the limit", async () => {
    let cancelled = false;
    const bytes = jsonl(Array.from({ length: 1000 }, (_, i) => chatLine(`r${i}`)));
    const stream = streamOf(bytes, [512], { onCancel: () => (cancelled = true) });
    const result = await validateInput(stream, options({ maxRequests: 10 }));
    expect(result).toMatchObject({ ok: false, total: 11, errors: [{ code: "too_many_tasks", line: 11 }] });
    expect(cancelled).toBe(true);
    expect(stream.pulled()).toBeLessThan(bytes.byteLength / 10);
  });

  it("lists at most maxErrors errors, counts the rest and still reads to the end", async () => {
    const bad = Array.from({ length: 150 }, () => "not json");
    const result = await invalid(jsonl([...bad, chatLine("late", { url: "/x" })]));
    expect(result.errors).toHaveLength(100);
    expect(result.errors.at(-1)).toMatchObject({ line: 100 });
    expect(result).toMatchObject({ omitted: 51, total: 151 });
    expect(fileErrors.omitted(result.omitted)).toEqual({
      code: "too_many_errors",
      message: "51 more errors were found in this file but not listed.",
      param: null,
      line: null,
    });
  });

  it("always lists too_many_tasks, even past the error cap", async () => {
    const result = await invalid(jsonl(Array.from({ length: 10 }, () => "[]")), {
      maxErrors: 2,
      maxRequests: 6,
    });
    expect(result.errors.map((e) => [e.line, e.code])).toEqual([
      [1, "invalid_json_line"],
      [2, "invalid_json_line"],
      [7, "too_many_tasks"],
    ]);
    expect(result.omitted).toBe(4);
  });

  it("fails, not succeeds, when every error is omitted", async () => {
    const result = await invalid(jsonl([chatLine("a"), "bad"]), { maxErrors: 0 });
    expect(result).toMatchObject({ errors: [], omitted: 1 });
  });
});
