// Calls the /app/api endpoints with the session cookie and, for changes, the CSRF token.
let csrf = "";
export function setCsrf(token) { csrf = token || ""; }

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export async function api(method, path, body) {
  const headers = { "X-Requested-With": "coderaudit" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch("/app/api/" + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!resp.ok) {
    const e = data && data.error ? data.error : { code: "error", message: resp.statusText };
    throw new ApiError(resp.status, e.code, e.message);
  }
  return data;
}
