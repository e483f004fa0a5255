import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialLiveRun, useLiveRun } from '../store/liveRun';
import { startReplay, stopReplay } from './replaySession';

function frame(seq: number) {
  return { seq, t: seq, system: { users: 1, offered_rps: 1, served_rps: 1, goodput_rps: 1, error_rate: 0, errors: {}, p50_ms: 1, p95_ms: 1, p99_ms: 1 }, nodes: {}, events: [] };
}

function answer(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200 });
}

beforeEach(() => useLiveRun.setState(initialLiveRun));
afterEach(() => stopReplay());

describe('startReplay', () => {
  it('loads the event log and every page of frames through the share link', async () => {
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      const path = String(input);
      if (path.endsWith('/events')) return answer([{ t: 2, level: 'error', node: 'web-1', text: 'web-1 is down' }]);
      if (path.includes('after=0&')) return answer({ frames: [frame(1), frame(2)], next_after: 2 });
      return answer({ frames: [frame(3)], next_after: null });
    });
    await startReplay('r1', 'tok', { fetch, cookie: '' });

    const paths = fetch.mock.calls.map((c) => String(c[0]));
    expect(paths).toEqual([
      '/api/shared/tok/runs/r1/events',
      '/api/shared/tok/runs/r1/frames?after=0&limit=1000',
      '/api/shared/tok/runs/r1/frames?after=2&limit=1000',
    ]);
    const { replay, latest, events } = useLiveRun.getState();
    expect(replay).toMatchObject({ runId: 'r1', loading: false, index: 2 });
    expect(replay?.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(latest?.seq).toBe(3);
    expect(events).toHaveLength(1);

    useLiveRun.getState().seek(0);
    expect(useLiveRun.getState().events).toHaveLength(0);
    expect(useLiveRun.getState().frames.map((f) => f.seq)).toEqual([1]);
  });

  it('says why a replay could not load', async () => {
    const fetch = vi.fn(async (_input: RequestInfo | URL) => new Response(JSON.stringify({ detail: 'run r1: no such run' }), { status: 404 }));
    await startReplay('r1', null, { fetch, cookie: '' });
    expect(String(fetch.mock.calls[0][0])).toBe('/api/runs/r1/events');
    expect(useLiveRun.getState().replay).toMatchObject({ loading: false, error: 'run r1: no such run' });
  });
});
