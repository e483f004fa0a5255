import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RunSocket,
  backoffDelay,
  runSocketUrl,
  type PingFrame,
  type ServerMessage,
  type WsStatus,
} from './socket';
import { fakeSocketFactory, type FakeSocket } from './fakeSocket';

const URL_BASE = 'ws://testserver/ws/runs/abc/';

function frame(seq: number): ServerMessage {
  const body: PingFrame = {
    seq,
    sim_time: seq / 10,
    produced_at: 1764275000 + seq,
    worker: 'celery@host',
    message: `ping ${seq} of 10`,
  };
  return { type: 'run.frame', seq, frame: body };
}

function state(value: string, lastSeq = 0): ServerMessage {
  return { type: 'run.state', run: { id: 'abc', state: value, frames: 10 }, last_seq: lastSeq };
}

function setup() {
  const { factory, sockets } = fakeSocketFactory();
  const statuses: WsStatus[] = [];
  const frames: number[] = [];
  const errors: string[] = [];
  const client = new RunSocket({
    url: URL_BASE,
    factory,
    random: () => 0,
    handlers: {
      onStatus: (s) => statuses.push(s),
      onFrame: (f) => frames.push(f.seq),
      onError: (message, code) => errors.push(`${code}: ${message}`),
    },
  });
  const last = () => sockets[sockets.length - 1];
  return { client, sockets, statuses, frames, errors, last };
}

function afterParam(socket: FakeSocket): string | null {
  return new URL(socket.url).searchParams.get('after');
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RunSocket', () => {
  it('connects with after=0 and reports connecting then open', () => {
    const { client, sockets, statuses, last } = setup();
    client.connect();
    expect(sockets).toHaveLength(1);
    expect(afterParam(last())).toBe('0');
    last().serverOpens();
    expect(statuses).toEqual(['connecting', 'open']);
  });

  it('reconnects after an abnormal close resuming after the last seq seen', () => {
    const { client, sockets, statuses, frames, last } = setup();
    client.connect();
    last().serverOpens();
    last().serverSends(state('running'));
    last().serverSends(frame(1));
    last().serverSends(frame(2));
    last().serverSends(frame(3));
    last().serverCloses(1006);

    expect(statuses.at(-1)).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(afterParam(last())).toBe('3');
    expect(client.lastSeq).toBe(3);
    expect(frames).toEqual([1, 2, 3]);

    last().serverOpens();
    expect(statuses.at(-1)).toBe('open');
  });

  it('keeps the highest seq when a backlog frame arrives after a newer one', () => {
    const { client, last } = setup();
    client.connect();
    last().serverSends(frame(5));
    last().serverSends(frame(4));
    expect(client.lastSeq).toBe(5);
  });

  it('doubles the delay on each failed attempt up to the cap', () => {
    const { client, sockets, last } = setup();
    client.connect();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) {
      const before = sockets.length;
      last().serverCloses(1006);
      let waited = 0;
      while (sockets.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('starts the backoff over once a reconnect is accepted by the server', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().serverCloses(1006);
    vi.advanceTimersByTime(250);
    last().serverCloses(1006);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(3);

    last().serverOpens();
    last().serverSends(state('running'));
    last().serverCloses(1006);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(4);
  });

  it('does not reconnect after close code 4404 and reports the error', () => {
    const { client, sockets, statuses, errors, last } = setup();
    client.connect();
    last().serverOpens();
    last().serverSends({ type: 'error', code: 'not_found', message: 'No run with id abc.' });
    last().serverCloses(4404);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe('closed');
    expect(errors).toEqual(['not_found: No run with id abc.']);
  });

  it.each(['finished', 'failed'])('does not reconnect after a normal close of a %s run', (end) => {
    const { client, sockets, statuses, last } = setup();
    client.connect();
    last().serverOpens();
    last().serverSends(state('running'));
    last().serverSends(frame(1));
    last().serverSends(state(end, 2));
    last().serverCloses(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe('closed');
  });

  it('hangs up itself once the run is over and every frame is in', () => {
    const { client, sockets, statuses, frames, last } = setup();
    client.connect();
    last().serverOpens();
    last().serverSends(state('running'));
    last().serverSends(frame(1));
    last().serverSends(state('finished', 2));
    expect(last().closedWith).toBeNull();
    last().serverSends(frame(2));
    expect(last().closedWith).toBe(1000);
    expect(statuses.at(-1)).toBe('closed');
    expect(frames).toEqual([1, 2]);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('hangs up after the backlog when it connects to a run that is already over', () => {
    const { client, last } = setup();
    client.connect();
    last().serverSends(state('failed', 0));
    expect(last().closedWith).toBe(1000);
    expect(client.status).toBe('closed');
  });

  it('reconnects after a normal close while the run is still running', () => {
    const { client, sockets, last } = setup();
    client.connect();
    last().serverSends(state('running'));
    last().serverCloses(1000);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('stops for good when close() is called, even with a reconnect pending', () => {
    const { client, sockets, statuses, last } = setup();
    client.connect();
    last().serverOpens();
    last().serverCloses(1006);
    client.close();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe('closed');

    client.connect();
    expect(sockets).toHaveLength(1);
  });

  it('closes the open socket on close() and ignores its late events', () => {
    const { client, sockets, frames, last } = setup();
    client.connect();
    last().serverOpens();
    const socket = last();
    client.close();
    expect(socket.closedWith).toBe(1000);
    socket.serverSends(frame(1));
    socket.serverCloses(1006);
    vi.advanceTimersByTime(60_000);
    expect(frames).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('ignores messages that are not JSON', () => {
    const { client, frames, last } = setup();
    client.connect();
    last().serverSendsRaw('not json');
    last().serverSends(frame(1));
    expect(frames).toEqual([1]);
  });
});

describe('backoffDelay', () => {
  it('takes off at most half of the delay as jitter', () => {
    expect(backoffDelay(2, () => 0)).toBe(1000);
    expect(backoffDelay(2, () => 0.5)).toBe(750);
    expect(backoffDelay(2, () => 0.999999)).toBe(500);
    expect(backoffDelay(30, () => 0)).toBe(5000);
  });
});

describe('runSocketUrl', () => {
  it('uses wss on https pages and ws on http pages', () => {
    expect(runSocketUrl('/ws/runs/abc/', { protocol: 'https:', host: 'lab.example' })).toBe(
      'wss://lab.example/ws/runs/abc/',
    );
    expect(runSocketUrl('/ws/runs/abc/', { protocol: 'http:', host: 'localhost:5173' })).toBe(
      'ws://localhost:5173/ws/runs/abc/',
    );
  });
});
