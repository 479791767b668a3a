import type { App } from "../../app/context";
import { registerCreateFile } from "./create-file";
import { registerDeleteFile } from "./delete-file";
import { registerListFiles } from "./list-files";
import { registerRetrieveFile } from "./retrieve-file";
import { registerRetrieveFileContent } from "./retrieve-file-content";

/** The Files API (openai-batch-contract.md §1.1–1.5), all under `/v1/files`. */
export function registerFileRoutes(app: App): void {
  registerCreateFile(app);
  registerListFiles(app);
  registerRetrieveFile(app);
  registerDeleteFile(app);
  registerRetrieveFileContent(app);
}
