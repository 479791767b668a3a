import type { App } from "../../app/context";
import { registerListModels } from "./list-models";
import { registerRetrieveModel } from "./retrieve-model";

export function registerModelRoutes(app: App): void {
  registerListModels(app);
  registerRetrieveModel(app);
}
