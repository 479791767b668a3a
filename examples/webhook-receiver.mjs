import http from "node:http";
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL ?? "http://127.0.0.1:8787/v1",
  apiKey: process.env.OPENAI_API_KEY ?? "sk-local-batch-api-key",
  webhookSecret: process.env.OPENAI_WEBHOOK_SECRET, // the project's whsec_… signing secret
});

http
  .createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) {
      body += chunk; // the raw body: the signature covers these bytes, not re-serialized JSON
    }
    try {
      const event = await client.webhooks.unwrap(body, req.headers); // throws unless signed with the secret
      const batch = await client.batches.retrieve(event.data.id);
      console.log(event.type, batch.id, batch.status, batch.output_file_id);
      res.writeHead(200).end(); // anything but 2xx is retried
    } catch (err) {
      console.error(`rejected: ${err.message}`);
      res.writeHead(400).end();
    }
  })
  .listen(3000, "127.0.0.1", () => console.log("listening on http://127.0.0.1:3000/hooks/batches"));
