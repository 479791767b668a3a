/**
 * The dashboard's only way to the server: the public API with the project key (or the admin key for
 * usage), both kept in sessionStorage, so they end with the browser tab.
 */
const KEY = "batch-api.key";
const ADMIN_KEY = "batch-api.admin-key";

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  adminKey: (): string | null => sessionStorage.getItem(ADMIN_KEY),
  signIn(key: string): void {
    sessionStorage.setItem(KEY, key);
  },
  setAdminKey(key: string | null): void {
    if (key) {
      sessionStorage.setItem(ADMIN_KEY, key);
    } else {
      sessionStorage.removeItem(ADMIN_KEY);
    }
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ADMIN_KEY);
  },
};

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export type List<T> = { object: "list"; data: T[]; has_more: boolean; last_id?: string | null };

async function toError(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    message = body.error?.message ?? message;
  } catch {
    // not the JSON envelope
  }
  return new ApiError(message, res.status, res.headers.get("x-request-id"));
}

function authHeader(admin: boolean): Record<string, string> {
  const key = admin ? session.adminKey() : session.key();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A JSON call; throws ApiError with the server's message (a 401 also ends the session). */
export async function api<T>(
  method: string,
  path: string,
  options: { json?: unknown; admin?: boolean; key?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = options.key
    ? { authorization: `Bearer ${options.key}` }
    : authHeader(options.admin ?? false);
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
  }
  const res = await fetch(path, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !options.admin && !options.key) {
      window.dispatchEvent(new CustomEvent("signed-out", { detail: err.message }));
    }
    throw err;
  }
  return (await res.json()) as T;
}

/** A multipart POST through XHR, for its upload progress events. */
export function postForm<T>(path: string, form: FormData, onProgress: (loaded: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    const key = session.key();
    if (key) {
      xhr.setRequestHeader("authorization", `Bearer ${key}`);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onerror = () => reject(new ApiError("The upload failed: network error.", 0, null));
    xhr.onload = () => {
      let body: { error?: { message?: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T);
      } else {
        const message = body.error?.message ?? `${xhr.status} ${xhr.statusText}`;
        reject(new ApiError(message, xhr.status, xhr.getResponseHeader("x-request-id")));
      }
    };
    xhr.send(form);
  });
}

/** Downloads a file's content with the key (a plain link cannot send it) and saves it. */
export async function downloadFile(fileId: string, filename: string): Promise<void> {
  const res = await fetch(`/v1/files/${encodeURIComponent(fileId)}/content`, { headers: authHeader(false) });
  if (!res.ok) {
    throw await toError(res);
  }
  const url = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
