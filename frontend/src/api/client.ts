/**
 * HTTP client for the ScaleLab API: JSON requests with Django's CSRF header, and errors
 * turned into sentences a person can act on.
 */

export interface PingRunCreated {
  id: string;
  state: string;
  frames: number;
  ws_path: string;
}

/** A rejected or failed request; `message` is meant to be shown as is. */
export class ApiError extends Error {
  readonly status: number;
  /** The parsed JSON body of the refusal, when there was one (409's `current_revision` …). */
  readonly body: unknown;

  constructor(message: string, status: number, body: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

export interface ApiDeps {
  fetch?: typeof fetch;
  /** The page's cookie string; defaults to document.cookie. */
  cookie?: string;
}

export function readCookie(name: string, cookie: string): string | null {
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Renders a `detail` field: a plain string, or a list of `{loc, msg}` validation errors
 * shown as "loc.path: msg" so the reader sees what was wrong and where.
 */
export function formatDetail(detail: unknown): string | null {
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return null;
  const lines = detail.map((item: unknown) => {
    if (typeof item === 'string') return item;
    if (item === null || typeof item !== 'object') return String(item);
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    const { path } = item as { path?: unknown };
    const where = typeof path === 'string' ? path : Array.isArray(loc) ? loc.join('.') : '';
    const what = typeof msg === 'string' ? msg : JSON.stringify(item);
    return where ? `${where}: ${what}` : what;
  });
  return lines.length > 0 ? lines.join('; ') : null;
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  let detail: string | null = null;
  let body: unknown = null;
  try {
    body = await response.json();
    if (body !== null && typeof body === 'object' && 'detail' in body) {
      detail = formatDetail((body as { detail: unknown }).detail);
    }
  } catch {
    // Not JSON (a proxy error page, for instance): fall back to the status line.
  }
  const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new ApiError(detail ?? `The server answered ${statusLine}.`, response.status, body);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One API call: JSON (or a FormData) out, JSON back; `null` for an empty answer (204).
 * Unsafe methods carry the csrftoken cookie as X-CSRFToken.
 */
export async function request(
  method: Method,
  path: string,
  body?: unknown,
  deps: ApiDeps = {},
): Promise<unknown> {
  const doFetch = deps.fetch ?? fetch;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !isForm) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie('csrftoken', deps.cookie ?? document.cookie);
    if (csrf) headers['X-CSRFToken'] = csrf;
  }

  let response: Response;
  try {
    response = await doFetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : isForm ? (body as FormData) : JSON.stringify(body),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(`Could not reach the server (${reason}).`, 0);
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError(`The server's answer to ${path} was not JSON.`, response.status);
  }
}

export function postJson(path: string, body: unknown, deps: ApiDeps = {}): Promise<unknown> {
  return request('POST', path, body, deps);
}

export async function createPingRun(frames?: number, deps: ApiDeps = {}): Promise<PingRunCreated> {
  const body = frames === undefined ? {} : { frames };
  const run = (await postJson('/api/runs/ping', body, deps)) as Partial<PingRunCreated> | null;
  if (typeof run?.id !== 'string' || typeof run.ws_path !== 'string') {
    throw new ApiError('The server answered without a run id or WebSocket path.', 201);
  }
  return run as PingRunCreated;
}
