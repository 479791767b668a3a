import type { App } from "../../app/context";
import { registerAddUploadPart } from "./add-upload-part";
import { registerCancelUpload } from "./cancel-upload";
import { registerCompleteUpload } from "./complete-upload";
import { registerCreateUpload } from "./create-upload";

/** The Uploads API (`/v1/uploads`): large files in parts of at most 64 MB, streamed to R2. */
export function registerUploadRoutes(app: App): void {
  registerCreateUpload(app);
  registerAddUploadPart(app);
  registerCompleteUpload(app);
  registerCancelUpload(app);
}
