import { describe, expect, it } from "vitest";
import { UploadSchema } from "../../../src/schemas/upload";
import { createBatch, fileLines, waitForBatch } from "../../helpers/batches";
import { addPart, batchLines, complete, startUpload } from "./helpers";

describe("a batch whose input file came through the Uploads API", () => {
  it("validates and runs every line, with lines cut across parts, output in input order", async () => {
    const content = batchLines(0, 120);
    // odd cut points, so lines (and a chunk's byte range) straddle part boundaries
    const cuts = [0, 1001, 7777, 7778, 15_000, content.length];
    const upload = await startUpload(content.length);
    const parts = await Promise.all(
      cuts.slice(1).map((end, i) => addPart(upload.id, content.slice(cuts[i], end))),
    );
    const done = await complete(upload.id, { part_ids: parts.map((part) => part.id) });
    const fileId = UploadSchema.parse(done.body).file?.id as string;

    const batch = await waitForBatch((await createBatch(fileId)).id);
    expect(batch).toMatchObject({
      status: "completed",
      request_counts: { total: 120, completed: 120, failed: 0 },
    });
    const output = await fileLines(batch.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(Array.from({ length: 120 }, (_, i) => `req-${i}`));
  });
});
