import type { AiBinding } from "./ai-binding";
import { parsePoll, parseSubmit } from "./async-responses";
import { type CatalogueCache, isolateCatalogueCache, StaticCatalogue } from "./catalogue";
import { fitInputsToSchema } from "./fit-inputs";
import { modelSpec } from "./known-models";
import { AFFINITY_HEADER } from "./prefix-affinity";
import { toOpenAiResponse } from "./to-openai";
import { toWorkersAiInputs } from "./to-workers-ai";
import type {
  AsyncBatchBackend,
  AsyncPoll,
  InferenceProvider,
  InferenceRequest,
  InferenceSuccess,
  ModelCatalogue,
} from "./types";
import { toInferenceError } from "./workers-ai-errors";

export type WorkersAiProviderOptions = {
  /** Alias → Workers AI model id (see `parseModelAliases`). */
  aliases?: Readonly<Record<string, string>>;
  /** Where the model list is cached; the isolate-wide cache unless a test brings its own. */
  cache?: CatalogueCache;
  now?: () => number;
  /**
   * Requests per minute to assume for every model instead of Workers AI's documented limits: the
   * simulator's configured limit, so the rate limiter paces against the limit that is really there.
   */
  rpmOverride?: number;
};

/**
 * The inference provider over a Workers AI binding: `env.AI` in production, the simulator locally.
 * Every failure leaves `run` as an `InferenceError`, so callers never see a raw binding error.
 */
export class WorkersAiProvider implements InferenceProvider, AsyncBatchBackend {
  private readonly aliases: Readonly<Record<string, string>>;
  private readonly cache: CatalogueCache;
  private readonly now: () => number;
  private readonly rpmOverride: number | undefined;

  constructor(
    private readonly ai: AiBinding,
    options: WorkersAiProviderOptions = {},
  ) {
    this.aliases = options.aliases ?? {};
    this.cache = options.cache ?? isolateCatalogueCache;
    this.now = options.now ?? Date.now;
    this.rpmOverride = options.rpmOverride;
  }

  async run(request: InferenceRequest): Promise<InferenceSuccess> {
    let output: unknown;
    try {
      const inputs = fitInputsToSchema(toWorkersAiInputs(request), modelSpec(request.model.id));
      // fail fast with 3040 when Workers AI is out of capacity instead of waiting in its queue:
      // the line runner's backoff and the pool's limiter handle that, within the batch's window
      output = await this.ai.run(request.model.id, inputs, {
        rejectIfBusy: true,
        ...affinityHeaders(request.affinityKey ?? null),
      });
    } catch (err) {
      throw toInferenceError(err);
    }
    return toOpenAiResponse(output, request, this.now());
  }

  /** Queues items on Workers AI's async batch queue; returns the request id to poll. */
  async submit(
    modelId: string,
    items: Record<string, unknown>[],
    affinityKey: string | null,
  ): Promise<string> {
    let output: unknown;
    try {
      output = await this.ai.run(
        modelId,
        { requests: items },
        { queueRequest: true, ...affinityHeaders(affinityKey) },
      );
    } catch (err) {
      throw toInferenceError(err);
    }
    return parseSubmit(output);
  }

  async poll(modelId: string, requestId: string): Promise<AsyncPoll> {
    let output: unknown;
    try {
      output = await this.ai.run(modelId, { request_id: requestId });
    } catch (err) {
      throw toInferenceError(err);
    }
    return parsePoll(output);
  }

  async catalogue(): Promise<ModelCatalogue> {
    const models = await this.cache.models(this.ai);
    const rpm = this.rpmOverride;
    return new StaticCatalogue(
      rpm === undefined ? models : models.map((model) => ({ ...model, rpm })),
      this.aliases,
    );
  }
}

function affinityHeaders(key: string | null): { extraHeaders?: Record<string, string> } {
  return key ? { extraHeaders: { [AFFINITY_HEADER]: key } } : {};
}
