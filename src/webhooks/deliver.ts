/** One HTTP attempt of one delivery. Any non-2xx, a timeout or a network error is a failure. */
export type AttemptResult = { ok: boolean; statusCode: number | null; error: string | null };

const MAX_ERROR_LENGTH = 200;

export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  let res: Response;
  try {
    // a redirect could point the signed event anywhere: it is answered as a failure, never followed
    res = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return { ok: false, statusCode: null, error: `no response within ${timeoutMs / 1000} s` };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, statusCode: null, error: `request failed: ${message}`.slice(0, MAX_ERROR_LENGTH) };
  }
  // the receiver's answer is not needed; release the connection
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) {
    return { ok: true, statusCode: res.status, error: null };
  }
  const error =
    res.status >= 300 && res.status < 400 ? "redirects are not followed" : "the receiver did not answer 2xx";
  return { ok: false, statusCode: res.status, error };
}
