import type { ApiKeyStore } from "../storage/d1/api-keys-store";
import { D1ApiKeyStore } from "../storage/d1/api-keys-store";
import { type Config, readConfig } from "./config";

export type Deps = {
  config: Config;
  apiKeys: ApiKeyStore;
};

/** The only place where bindings become objects. Called once per request and per queue batch. */
export function createDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  return {
    config: overrides.config ?? readConfig(env),
    apiKeys: overrides.apiKeys ?? new D1ApiKeyStore(env.DB),
  };
}
