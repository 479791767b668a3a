import { api, downloadFile, errorText, type List, postForm } from "../api";
import { fill, formatBytes, formatTime, h, notice } from "../dom";
import type { FileObject, Upload } from "../types";
import type { ViewContext } from "../view-context";

/** Files above this go through the Uploads API in parts; smaller ones in one POST /v1/files. */
export const UPLOADS_THRESHOLD = 32 * 1024 * 1024;
const PART_BYTES = 16 * 1024 * 1024;
const PURPOSES = ["batch", "user_data", "batch_output"];

let uploadsApi: Promise<boolean> | null = null;

/** Whether this deployment serves the Uploads API (its OpenAPI document lists /v1/uploads). */
function hasUploadsApi(): Promise<boolean> {
  uploadsApi ??= fetch("/openapi.json")
    .then((res) => res.json() as Promise<{ paths?: Record<string, unknown> }>)
    .then((doc) => Boolean(doc.paths?.["/v1/uploads"]))
    .catch(() => false);
  return uploadsApi;
}

/** Uploads `file` with progress, through /v1/uploads when it is large and the API has it. */
export async function uploadFile(
  file: File,
  purpose: string,
  onProgress: (sent: number) => void,
): Promise<FileObject> {
  if (file.size <= UPLOADS_THRESHOLD || !(await hasUploadsApi())) {
    const form = new FormData();
    form.append("purpose", purpose);
    form.append("file", file, file.name);
    return postForm<FileObject>("/v1/files", form, onProgress);
  }
  const upload = await api<Upload>("POST", "/v1/uploads", {
    json: { bytes: file.size, filename: file.name, mime_type: "text/jsonl", purpose },
  });
  const partIds: string[] = [];
  try {
    for (let offset = 0; offset < file.size; offset += PART_BYTES) {
      const form = new FormData();
      form.append("data", file.slice(offset, offset + PART_BYTES), file.name);
      const part = await postForm<{ id: string }>(`/v1/uploads/${upload.id}/parts`, form, (loaded) =>
        onProgress(offset + loaded),
      );
      partIds.push(part.id);
    }
    const done = await api<Upload>("POST", `/v1/uploads/${upload.id}/complete`, {
      json: { part_ids: partIds },
    });
    if (!done.file) {
      throw new Error(`The upload ended ${done.status} without a file.`);
    }
    return done.file;
  } catch (err) {
    await api("POST", `/v1/uploads/${upload.id}/cancel`).catch(() => undefined);
    throw err;
  }
}

function uploadForm(onUploaded: (file: FileObject) => void): HTMLElement {
  const input = h("input", { id: "upload-file", type: "file", required: true, accept: ".jsonl,.json,.txt" });
  const purpose = h(
    "select",
    { id: "upload-purpose" },
    ...PURPOSES.slice(0, 2).map((p) => h("option", { value: p }, p)),
  );
  const progress = h("progress", {
    max: 1,
    value: 0,
    class: "upload-progress",
    "aria-label": "Upload progress",
  });
  const status = h(
    "p",
    { class: "muted small upload-status", role: "status" },
    "JSONL, one request per line.",
  );
  const button = h("button", { type: "submit", class: "primary" }, "Upload");
  const form = h(
    "form",
    { class: "card upload", "aria-labelledby": "upload-title" },
    h("h2", { id: "upload-title" }, "Upload a file"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "upload-file" }, "File"),
      input,
      h("label", { for: "upload-purpose" }, "Purpose"),
      purpose,
      button,
    ),
    progress,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      return;
    }
    button.disabled = true;
    progress.max = Math.max(1, file.size);
    progress.value = 0;
    status.textContent = `Uploading ${file.name} (${formatBytes(file.size)})…`;
    try {
      const uploaded = await uploadFile(file, purpose.value, (sent) => {
        progress.value = sent;
        status.textContent = `Uploading ${file.name}: ${Math.floor((100 * sent) / Math.max(1, file.size))}%`;
      });
      progress.value = progress.max;
      status.textContent = `Uploaded ${uploaded.filename} as ${uploaded.id}.`;
      form.reset();
      onUploaded(uploaded);
    } catch (err) {
      status.textContent = `Upload failed: ${errorText(err)}`;
      status.setAttribute("role", "alert");
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function filesView(ctx: ViewContext): Promise<void> {
  const state = h("div", { class: "table-state" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  let lastId: string | null = null;

  const row = (f: FileObject) => {
    const download = h("button", { type: "button", class: "link" }, "Download");
    download.setAttribute("aria-label", `Download ${f.filename}`);
    download.addEventListener("click", () =>
      downloadFile(f.id, f.filename).catch((err) =>
        fill(state, notice("error", "Download failed.", errorText(err))),
      ),
    );
    const remove = h("button", { type: "button", class: "link danger-text" }, "Delete");
    remove.setAttribute("aria-label", `Delete ${f.filename}`);
    const tr = h(
      "tr",
      { "data-id": f.id },
      h("td", { "data-label": "File", class: "mono" }, f.id),
      h("td", { "data-label": "Name", class: "wrap" }, f.filename),
      h("td", { "data-label": "Purpose" }, f.purpose),
      h("td", { "data-label": "Size" }, formatBytes(f.bytes)),
      h("td", { "data-label": "Created" }, formatTime(f.created_at)),
      h("td", { class: "row-actions" }, download, remove),
    );
    remove.addEventListener("click", async () => {
      if (!confirm(`Delete ${f.filename} (${f.id})?`)) {
        return;
      }
      try {
        await api("DELETE", `/v1/files/${f.id}`);
        tr.remove();
        showEmpty();
      } catch (err) {
        fill(state, notice("error", "Delete failed.", errorText(err)));
      }
    });
    return tr;
  };
  const showEmpty = () =>
    fill(
      state,
      body.children.length === 0 ? notice("empty", "No files yet.", "Upload a JSONL file above.") : null,
    );

  const load = async (after?: string) => {
    try {
      const page = await api<List<FileObject>>("GET", `/v1/files?limit=50${after ? `&after=${after}` : ""}`);
      if (!after) {
        body.replaceChildren();
      }
      body.append(...page.data.map(row));
      lastId = page.data[page.data.length - 1]?.id ?? lastId;
      more.hidden = !page.has_more;
      showEmpty();
    } catch (err) {
      fill(state, notice("error", "Could not load files.", errorText(err)));
    }
  };
  more.addEventListener("click", () => void load(lastId ?? undefined));

  fill(
    ctx.el,
    h("div", { class: "page-head" }, h("h1", {}, "Files")),
    uploadForm((file) => {
      body.prepend(row(file));
      showEmpty();
    }),
    state,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("caption", { class: "sr-only" }, "Files, newest first"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["File", "Name", "Purpose", "Size", "Created", ""].map((t) => h("th", { scope: "col" }, t)),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  await load();
}
