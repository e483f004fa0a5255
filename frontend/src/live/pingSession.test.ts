import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialPingRun, usePingRun } from '../store/pingRun';
import { startPingRun, stopPingRun } from './pingSession';
import { fakeSocketFactory } from './fakeSocket';
import type { ServerMessage } from './socket';

const location = { protocol: 'http:', host: 'localhost:5173' };
const created = { id: 'abc', state: 'queued', frames: 2, ws_path: '/ws/runs/abc/' };

function pingFrame(seq: number): ServerMessage {
  const frame = {
    seq,
    sim_time: 0.1 * seq,
    produced_at: 1001 + seq / 1000,
    worker: 'celery@w1',
    message: `ping ${seq} of 2`,
  };
  return { type: 'run.frame', seq, frame };
}

function runState(state: string, lastSeq: number): ServerMessage {
  return { type: 'run.state', run: { id: 'abc', state, frames: 2 }, last_seq: lastSeq };
}

beforeEach(() => {
  usePingRun.setState(initialPingRun);
});

afterEach(() => {
  stopPingRun();
});

describe('startPingRun', () => {
  it('creates a run and follows its socket into the store', async () => {
    const { factory, sockets } = fakeSocketFactory();
    const fetch = vi.fn(async () => new Response(JSON.stringify(created), { status: 201 }));

    await startPingRun(2, {
      api: { fetch, cookie: '' },
      location,
      now: () => 1001_020,
      socketFactory: factory,
    });

    expect(sockets.map((s) => s.url)).toEqual(['ws://localhost:5173/ws/runs/abc/?after=0']);
    const socket = sockets[0];
    socket.serverOpens();
    socket.serverSends(runState('running', 0));
    socket.serverSends(pingFrame(1));
    socket.serverSends(pingFrame(1));
    socket.serverSends(pingFrame(2));
    socket.serverSends(runState('finished', 2));

    const data = usePingRun.getState();
    expect(data.runId).toBe('abc');
    expect(data.runState).toBe('finished');
    expect(data.wsStatus).toBe('closed');
    expect(data.frames.map((f) => [f.seq, f.delayMs])).toEqual([
      [1, 19],
      [2, 18],
    ]);
    expect(data.error).toBeNull();
  });

  it('puts the API error in the store and opens no socket', async () => {
    const factory = vi.fn();
    const fetch = vi.fn(
      async () => new Response(JSON.stringify({ detail: 'Runs are paused.' }), { status: 503 }),
    );
    await startPingRun(2, { api: { fetch, cookie: '' }, location, socketFactory: factory });
    expect(usePingRun.getState().error).toBe('Runs are paused.');
    expect(usePingRun.getState().starting).toBe(false);
    expect(factory).not.toHaveBeenCalled();
  });

  it('shows the error the socket reports', async () => {
    const { factory, sockets } = fakeSocketFactory();
    const fetch = vi.fn(async () => new Response(JSON.stringify(created), { status: 201 }));
    await startPingRun(2, { api: { fetch, cookie: '' }, location, socketFactory: factory });
    sockets[0].serverSends({
      type: 'error',
      code: 'not_found',
      message: 'Run abc does not exist.',
    });
    sockets[0].serverCloses(4404);
    expect(usePingRun.getState().error).toBe('Run abc does not exist.');
    expect(usePingRun.getState().wsStatus).toBe('closed');
  });
});
