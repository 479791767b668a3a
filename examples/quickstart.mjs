import fs from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL ?? "http://127.0.0.1:8787/v1",
  apiKey: process.env.OPENAI_API_KEY ?? "sk-local-batch-api-key",
});

const file = await client.files.create({
  file: fs.createReadStream("examples/requests.jsonl"),
  purpose: "batch",
});
let batch = await client.batches.create({
  input_file_id: file.id,
  endpoint: "/v1/chat/completions",
  completion_window: "24h",
});
while (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  batch = await client.batches.retrieve(batch.id);
}
console.log(`${batch.id}: ${batch.status}`, batch.request_counts);
for (const error of batch.errors?.data ?? []) {
  console.log(`line ${error.line}: ${error.message}`);
}
if (batch.output_file_id) {
  const output = await (await client.files.content(batch.output_file_id)).text();
  for (const line of output.trim().split("\n")) {
    const { custom_id, response } = JSON.parse(line);
    console.log(`${custom_id}: ${response.body.choices[0].message.content}`);
  }
}
if (batch.error_file_id) {
  console.log(await (await client.files.content(batch.error_file_id)).text());
}
