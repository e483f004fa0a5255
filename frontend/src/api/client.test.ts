// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createPingRun, formatDetail, readCookie } from './client';

function jsonResponse(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  });
}

const created = {
  id: '4f9c2b8e-0000-4000-8000-000000000001',
  state: 'queued',
  frames: 10,
  ws_path: '/ws/runs/4f9c2b8e-0000-4000-8000-000000000001/',
};

afterEach(() => {
  document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('createPingRun', () => {
  it('posts JSON with the csrftoken cookie as X-CSRFToken, same-origin credentials', async () => {
    document.cookie = 'sessionid=s3ss10n';
    document.cookie = 'csrftoken=tok3n-value';
    const fetch = vi.fn(async () => jsonResponse(201, created));

    const run = await createPingRun(10, { fetch });

    expect(run).toEqual(created);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/api/runs/ping');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(JSON.parse(String(init.body))).toEqual({ frames: 10 });
    const headers = init.headers as Record<string, string>;
    expect(headers['X-CSRFToken']).toBe('tok3n-value');
    expect(headers['Content-Type']).toBe('application/json');
  });

  it('sends no CSRF header without the cookie, and {} without a frame count', async () => {
    const fetch = vi.fn(async () => jsonResponse(201, created));
    await createPingRun(undefined, { fetch, cookie: '' });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).not.toHaveProperty('X-CSRFToken');
    expect(JSON.parse(String(init.body))).toEqual({});
  });

  it('surfaces a string detail as the error message', async () => {
    const fetch = vi.fn(async () => jsonResponse(429, { detail: 'Too many runs; wait a minute.' }));
    const error = await createPingRun(10, { fetch, cookie: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('Too many runs; wait a minute.');
    expect((error as ApiError).status).toBe(429);
  });

  it('surfaces validation errors with where and what', async () => {
    const detail = [
      {
        type: 'less_than_equal',
        loc: ['body', 'payload', 'frames'],
        msg: 'Input should be less than or equal to 100',
      },
      { loc: ['body', 'payload', 'speed'], msg: 'Extra inputs are not permitted' },
    ];
    const fetch = vi.fn(async () => jsonResponse(422, { detail }));
    await expect(createPingRun(1000, { fetch, cookie: '' })).rejects.toThrow(
      'body.payload.frames: Input should be less than or equal to 100; ' +
        'body.payload.speed: Extra inputs are not permitted',
    );
  });

  it('falls back to the status line when the error body is not JSON', async () => {
    const fetch = vi.fn(
      async () => new Response('<h1>Forbidden</h1>', { status: 403, statusText: 'Forbidden' }),
    );
    await expect(createPingRun(10, { fetch, cookie: '' })).rejects.toThrow(
      'The server answered 403 Forbidden.',
    );
  });

  it('explains a network failure in plain words', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(createPingRun(10, { fetch, cookie: '' })).rejects.toThrow(
      'Could not reach the server (Failed to fetch).',
    );
  });

  it('rejects a success answer without a WebSocket path', async () => {
    const fetch = vi.fn(async () => jsonResponse(201, { id: created.id, state: 'queued' }));
    await expect(createPingRun(10, { fetch, cookie: '' })).rejects.toThrow(
      'The server answered without a run id or WebSocket path.',
    );
  });
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=x%3Dy; b=2')).toBe('x=y');
    expect(readCookie('csrftoken', 'xcsrftoken=1')).toBeNull();
  });
});

describe('formatDetail', () => {
  it('returns null for a detail it cannot read', () => {
    expect(formatDetail({ nested: true })).toBeNull();
    expect(formatDetail([])).toBeNull();
  });
});
