import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialLiveRun, useLiveRun } from '../store/liveRun';
import { fakeSocketFactory, type FakeSocket } from './fakeSocket';
import { configureRunSession, runAgain, sendControl, startRun, stopWatching, watchRun } from './runSession';

const location = { protocol: 'http:', host: 'localhost:5173' };
const created = {
  id: 'r1',
  kind: 'simulation',
  state: 'queued',
  frames: 0,
  ws_path: '/ws/runs/r1/',
  duration_s: 300,
  speed: 10,
  sim_time: 0,
};

function metricFrame(seq: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'run.frame' as const,
    seq,
    frame: {
      seq,
      t: seq,
      produced_at: 1000 + seq,
      system: { users: 1000, offered_rps: 150, served_rps: 150, goodput_rps: 150, error_rate: 0, errors: {}, p50_ms: 40, p95_ms: 60, p99_ms: 80 },
      nodes: { 'web-1': { kind: 'server', alive: true, utilization: 0.4 } },
      events: [],
      ...extra,
    },
  };
}

function setup(status = 201, body: unknown = created) {
  const { factory, sockets } = fakeSocketFactory();
  const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status }));
  configureRunSession({ api: { fetch, cookie: 'csrftoken=tok' }, socketFactory: factory, location });
  const socket = () => sockets[sockets.length - 1] as FakeSocket;
  return { fetch, sockets, socket };
}

function connectAsOwner(socket: FakeSocket) {
  socket.serverOpens();
  socket.serverSends({ type: 'run.state', role: 'owner', run: { ...created, state: 'running' }, last_seq: 0 });
}

beforeEach(() => useLiveRun.setState(initialLiveRun));
afterEach(() => stopWatching());

describe('startRun', () => {
  it('posts the run with the CSRF token and follows its socket into the store', async () => {
    const { fetch, socket } = setup();
    await startRun({ scenario: 's1', speed: 10, duration_s: 300 });

    const [path, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(path).toBe('/api/runs');
    expect(JSON.parse(String(init.body))).toEqual({ engine: 'flow', scenario: 's1', speed: 10, duration_s: 300 });
    expect((init.headers as Record<string, string>)['X-CSRFToken']).toBe('tok');
    expect(socket().url).toBe('ws://localhost:5173/ws/runs/r1/?after=0');

    connectAsOwner(socket());
    socket().serverSends({ type: 'run.events', events: [{ t: 0, level: 'info', node: null, text: 'run started' }] });
    socket().serverSends(metricFrame(1));
    socket().serverSends(metricFrame(2, { events: [{ t: 2, level: 'warn', node: 'web-1', text: 'web-1 is busy' }] }));

    const state = useLiveRun.getState();
    expect(state).toMatchObject({ role: 'owner', status: 'open', starting: false });
    expect(state.run?.state).toBe('running');
    expect(state.frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(state.latest?.nodes['web-1'].utilization).toBe(0.4);
    expect(state.events.map((e) => e.text)).toEqual(['run started', 'web-1 is busy']);
  });

  it('shows the refusal when the run cannot start', async () => {
    const { sockets } = setup(422, { detail: 'nodes[web].params.instances: must be at least 1' });
    await startRun({ scenario: 's1' });
    expect(useLiveRun.getState().error).toBe('nodes[web].params.instances: must be at least 1');
    expect(useLiveRun.getState().starting).toBe(false);
    expect(sockets).toHaveLength(0);
  });

  it('asks for the engine chosen', async () => {
    const { fetch } = setup();
    await startRun({ scenario: 's1', engine: 'des', speed: 10 });
    const [, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({ engine: 'des', scenario: 's1', speed: 10 });
  });

  it('starts a run again through its own endpoint', async () => {
    const { fetch } = setup();
    await runAgain('r0');
    expect(String(fetch.mock.calls[0][0])).toBe('/api/runs/r0/again');
  });
});

describe('controls', () => {
  it('sends a control with an id and marks it applied when its ack comes', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());

    const id = sendControl('kill', { target: 'web-1' });
    expect(socket().sent).toEqual([{ type: 'control', id, action: 'kill', target: 'web-1' }]);
    expect(useLiveRun.getState().controls[0]).toMatchObject({ id, label: 'kill web-1', status: 'pending' });

    socket().serverSends({ type: 'run.ack', id, action: 'kill', t: 43 });
    expect(useLiveRun.getState().controls[0]).toMatchObject({ status: 'applied', t: 43 });
  });

  it('records the refusal of a control, from the worker or from the connection', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());

    const bad = sendControl('kill', { target: 'web-9' });
    socket().serverSends({ type: 'run.error', id: bad, code: 'invalid_control', message: "kill: no node with id 'web-9'" });
    const late = sendControl('pause');
    socket().serverSends({ type: 'error', id: late!, code: 'not_running', message: 'the run is finished: nothing to control' });

    const [first, second] = useLiveRun.getState().controls;
    expect(first).toMatchObject({ status: 'refused', message: "kill: no node with id 'web-9'" });
    expect(second).toMatchObject({ status: 'refused', message: 'the run is finished: nothing to control' });
    expect(useLiveRun.getState().error).toBeNull();
  });

  it('takes back the design edit of a control the run refuses, and says why in the event log', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());
    socket().serverSends(metricFrame(7));
    const takeBack = vi.fn();
    const id = sendControl('add_node', { node: { id: 'db-2', kind: 'database' }, edges: [] }, () => takeBack);
    expect(takeBack).not.toHaveBeenCalled();

    const reason = 'add_node: nodes[db-replica-1]: replica has more than one primary: db, db-2';
    socket().serverSends({ type: 'run.error', id, code: 'invalid_control', message: reason });
    expect(takeBack).toHaveBeenCalledTimes(1);
    expect(useLiveRun.getState().events).toContainEqual({ t: 7, level: 'error', node: 'db-2', text: `refused: ${reason}` });
    socket().serverSends({ type: 'run.error', id, code: 'invalid_control', message: reason });
    expect(takeBack).toHaveBeenCalledTimes(1);
  });

  it('keeps the design edit of a control the run applied', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());
    const takeBack = vi.fn();
    const id = sendControl('users', { users: 1500 }, () => takeBack);
    socket().serverSends({ type: 'run.ack', id, action: 'users', t: 3 });
    socket().serverSends({ type: 'run.error', id, code: 'invalid_control', message: 'late' });
    expect(takeBack).not.toHaveBeenCalled();
    expect(useLiveRun.getState().events).toEqual([]);
  });

  it('makes no design edit for a control it could not send', async () => {
    setup();
    await startRun({ scenario: 's1' });
    const edit = vi.fn(() => () => undefined);
    expect(sendControl('users', { users: 1500 }, edit)).toBeNull();
    expect(edit).not.toHaveBeenCalled();
  });

  it('says so instead of sending while the socket is not open', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    expect(sendControl('pause')).toBeNull();
    expect(socket().sent).toEqual([]);
    expect(useLiveRun.getState().controls[0].status).toBe('refused');
  });

  it('sends a scheduled failure with the first frame at or after its time, once', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());
    useLiveRun.getState().schedule({ action: 'kill', target: 'web-1' }, 3);

    socket().serverSends(metricFrame(2));
    expect(socket().sent).toEqual([]);
    socket().serverSends(metricFrame(3));
    socket().serverSends(metricFrame(4));
    expect(socket().sent).toEqual([expect.objectContaining({ action: 'kill', target: 'web-1' })]);
    expect(useLiveRun.getState().scheduled[0].status).toBe('sent');
  });
});

describe('a queued run', () => {
  const second = { place: 2, waiting: 5, estimate_s: 20, text: '2nd in line, about 20 s' };

  it('shows its place from run.state, follows run.queue and drops it once running', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    socket().serverOpens();
    socket().serverSends({ type: 'run.state', role: 'owner', run: { ...created, queue: second }, last_seq: 0 });
    expect(useLiveRun.getState().queue).toEqual(second);

    socket().serverSends({ type: 'run.queue', queue: { place: 1, waiting: 4, estimate_s: null, text: '1st in line', note: 'new' } });
    expect(useLiveRun.getState().queue).toEqual({ place: 1, waiting: 4, estimate_s: null, text: '1st in line' });

    socket().serverSendsRaw(JSON.stringify({ type: 'run.admission', hosts: 3 }));
    expect(useLiveRun.getState().queue?.place).toBe(1);

    socket().serverSends({ type: 'run.state', run: { ...created, state: 'running', queue: null }, last_seq: 0 });
    expect(useLiveRun.getState().queue).toBeNull();
    expect(useLiveRun.getState().run?.state).toBe('running');
  });

  it('can be stopped while it waits', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    socket().serverOpens();
    socket().serverSends({ type: 'run.state', role: 'owner', run: { ...created, queue: second }, last_seq: 0 });
    const id = sendControl('stop');
    expect(socket().sent).toEqual([{ type: 'control', id, action: 'stop' }]);
    socket().serverSends({ type: 'run.state', run: { ...created, state: 'cancelled', queue: null }, last_seq: 0 });
    expect(useLiveRun.getState().queue).toBeNull();
    expect(useLiveRun.getState().controls[0]).toMatchObject({ action: 'stop', status: 'applied' });
  });

  it('shows the place the API gave when following a queued run after a reload', () => {
    setup();
    watchRun({ ...created, queue: second });
    expect(useLiveRun.getState().queue).toEqual(second);
  });
});

describe('watchRun', () => {
  it('watches a shared run through its share token, without controls', () => {
    const { socket } = setup();
    watchRun({ ...created, state: 'running' }, 'tok123');
    expect(new URL(socket().url).searchParams.get('share')).toBe('tok123');
    socket().serverOpens();
    socket().serverSends({ type: 'run.state', role: 'watcher', run: { ...created, state: 'running' }, last_seq: 0 });
    useLiveRun.getState().schedule({ action: 'kill', target: 'web-1' }, 0);
    socket().serverSends(metricFrame(1));
    expect(socket().sent).toEqual([]);
    expect(useLiveRun.getState().role).toBe('watcher');
  });

  it('resumes after the last frame when the connection drops', async () => {
    vi.useFakeTimers();
    try {
      const { sockets, socket } = setup();
      watchRun({ ...created, state: 'running' });
      connectAsOwner(socket());
      socket().serverSends(metricFrame(1));
      socket().serverSends(metricFrame(2));
      socket().serverCloses(1006);
      expect(useLiveRun.getState().status).toBe('reconnecting');
      await vi.runOnlyPendingTimersAsync();
      expect(sockets).toHaveLength(2);
      expect(new URL(socket().url).searchParams.get('after')).toBe('2');
      socket().serverOpens();
      socket().serverSends(metricFrame(2));
      socket().serverSends(metricFrame(3));
      expect(useLiveRun.getState().frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('goes on with the next frames when another worker takes the run over', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());
    socket().serverSends(metricFrame(1));
    socket().serverSends(metricFrame(2));
    socket().serverSends({ type: 'run.events', events: [{ t: 9, level: 'warn', node: null, text: 'resumed on another worker after 7 s' }] });
    socket().serverSends({ type: 'run.state', run: { ...created, state: 'running', sim_time: 2 }, last_seq: 2 });
    socket().serverSends(metricFrame(3));
    const state = useLiveRun.getState();
    expect(state.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(state.events.map((e) => e.text)).toContain('resumed on another worker after 7 s');
    expect(state.status).toBe('open');
  });

  it('hangs up once a stopped run has sent its last frame', async () => {
    const { socket } = setup();
    await startRun({ scenario: 's1' });
    connectAsOwner(socket());
    socket().serverSends(metricFrame(1));
    socket().serverSends({ type: 'run.state', run: { ...created, state: 'cancelled' }, last_seq: 1 });
    expect(socket().closedWith).toBe(1000);
    expect(useLiveRun.getState().run?.state).toBe('cancelled');
    expect(useLiveRun.getState().status).toBe('closed');
  });
});
