import { createApp } from "./app/create-app";

export { BatchCoordinator } from "./durable/batch-coordinator";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
