import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricFrame } from '../live/frames';
import {
  CHART_WINDOW,
  applyControlAnswer,
  applyFrame,
  applyQueue,
  applyRunState,
  asRunQueue,
  dueChanges,
  initialLiveRun,
  mergeEvents,
  mergeFrame,
  replaySeek,
  useLiveRun,
  type LiveRunData,
  type ReplayData,
} from './liveRun';

function frame(seq: number, extra: Partial<MetricFrame> = {}): MetricFrame {
  return {
    seq,
    t: seq,
    system: { users: 1000, offered_rps: 150, served_rps: 150, goodput_rps: 150, error_rate: 0, errors: {}, p50_ms: 40, p95_ms: 60, p99_ms: 80 },
    nodes: {},
    events: [],
    ...extra,
  };
}

const seqs = (frames: MetricFrame[]) => frames.map((f) => f.seq);
const run = { id: 'r1', state: 'running', frames: 0 };

beforeEach(() => useLiveRun.setState(initialLiveRun));

describe('mergeFrame', () => {
  it('appends frames in order and keeps only the newest window', () => {
    let frames: MetricFrame[] = [];
    for (let s = 1; s <= CHART_WINDOW + 5; s++) frames = mergeFrame(frames, frame(s));
    expect(frames).toHaveLength(CHART_WINDOW);
    expect(frames[0].seq).toBe(6);
    expect(frames[frames.length - 1].seq).toBe(CHART_WINDOW + 5);
  });

  it('ignores a frame it already has and slots a late one into place', () => {
    const frames = [frame(1), frame(3)];
    expect(mergeFrame(frames, frame(3))).toBe(frames);
    expect(seqs(mergeFrame(frames, frame(2)))).toEqual([1, 2, 3]);
  });

  it('drops a frame older than a full window', () => {
    const full = [frame(10), frame(11)];
    expect(mergeFrame(full, frame(5), 2)).toBe(full);
  });
});

describe('mergeEvents', () => {
  const line = (t: number, text: string) => ({ t, level: 'info', node: null, text });

  it('keeps each line once when the log and the backlog overlap', () => {
    const log = [line(1, 'a'), line(2, 'b')];
    expect(mergeEvents(log, [line(2, 'b'), line(3, 'c')])).toEqual([line(1, 'a'), line(2, 'b'), line(3, 'c')]);
    expect(mergeEvents(log, [line(1, 'a')])).toBe(log);
  });

  it('orders by simulated time and keeps the newest lines', () => {
    const merged = mergeEvents([line(5, 'late')], [line(2, 'early')], 10);
    expect(merged.map((e) => e.text)).toEqual(['early', 'late']);
    expect(mergeEvents([line(1, 'a'), line(2, 'b')], [line(3, 'c')], 2).map((e) => e.text)).toEqual(['b', 'c']);
  });
});

describe('run state', () => {
  it('keeps the role from the first state when later ones carry none', () => {
    let data: LiveRunData = { ...initialLiveRun, run };
    data = { ...data, ...applyRunState(data, run, 'owner') };
    data = { ...data, ...applyRunState(data, { ...run, state: 'paused' }, null) };
    expect(data.role).toBe('owner');
    expect(data.run?.state).toBe('paused');
  });

  it('says why a run failed and refuses the controls still waiting', () => {
    const data: LiveRunData = {
      ...initialLiveRun,
      run,
      controls: [{ id: 'c1', action: 'kill', label: 'kill web-1', status: 'pending' }],
    };
    const update = applyRunState(data, { ...run, state: 'failed', failure_reason: 'the worker died' }, null);
    expect(update.error).toBe('The run failed: the worker died');
    expect(update.controls?.[0]).toMatchObject({ status: 'refused', message: 'the run is failed' });
  });

  it('ignores the state of another run', () => {
    expect(applyRunState({ ...initialLiveRun, run }, { ...run, id: 'other' }, 'owner')).toEqual({});
  });
});

describe('queue', () => {
  const queued = { id: 'r1', state: 'queued', frames: 0 };
  const second = { place: 2, waiting: 5, estimate_s: 20, text: '2nd in line, about 20 s' };
  const apply = (data: LiveRunData, update: Partial<LiveRunData>): LiveRunData => ({ ...data, ...update });

  it('shows the place a queued run states', () => {
    const data = apply(initialLiveRun, applyRunState(initialLiveRun, { ...queued, queue: second }, 'owner'));
    expect(data.queue).toEqual(second);
  });

  it('follows run.queue while the run waits', () => {
    let data = apply(initialLiveRun, applyRunState(initialLiveRun, { ...queued, queue: second }, 'owner'));
    data = apply(data, applyQueue(data, { place: 1, waiting: 4, estimate_s: null, text: '1st in line' }));
    expect(data.queue).toEqual({ place: 1, waiting: 4, estimate_s: null, text: '1st in line' });
  });

  it('keeps the place when a state of the queued run says nothing of it', () => {
    let data = apply(initialLiveRun, applyRunState(initialLiveRun, { ...queued, queue: second }, 'owner'));
    data = apply(data, applyRunState(data, queued, null));
    expect(data.queue).toEqual(second);
  });

  it('clears the place once the run runs, and ignores a run.queue that crossed the start', () => {
    let data = apply(initialLiveRun, applyRunState(initialLiveRun, { ...queued, queue: second }, 'owner'));
    data = apply(data, applyRunState(data, { ...queued, state: 'running', queue: second }, null));
    expect(data.queue).toBeNull();
    data = apply(data, applyQueue(data, second));
    expect(data.queue).toBeNull();
  });

  it('takes the known fields and ignores the others', () => {
    expect(asRunQueue({ ...second, region: 'eu', hosts: [1, 2] })).toEqual(second);
    expect(asRunQueue({ place: 3, text: ' 3rd in line ', estimate_s: 'soon' })).toEqual({
      place: 3,
      waiting: null,
      estimate_s: null,
      text: '3rd in line',
    });
    expect(asRunQueue({ place: 2 })).toBeNull();
    expect(asRunQueue({ text: 'somewhere' })).toBeNull();
    expect(asRunQueue(null)).toBeNull();
    expect(asRunQueue([second])).toBeNull();
  });

  it('keeps the charts, the canvas frame and the log when another worker takes the run over', () => {
    const f = frame(7, { t: 7 });
    let data: LiveRunData = { ...initialLiveRun, run, frames: [frame(6), f], latest: f, events: [{ t: 6, level: 'info', node: null, text: 'started' }] };
    data = apply(data, applyRunState(data, { ...run, state: 'running', sim_time: 7 }, null));
    expect(seqs(data.frames)).toEqual([6, 7]);
    expect(data.latest).toBe(f);
    expect(data.events).toHaveLength(1);
    data = apply(data, applyFrame(data, frame(8)));
    expect(seqs(data.frames)).toEqual([6, 7, 8]);
  });

  it('counts a stop as applied when the run ends cancelled without acknowledging it', () => {
    const data: LiveRunData = {
      ...initialLiveRun,
      run: queued,
      controls: [
        { id: 'c1', action: 'stop', label: 'stop', status: 'pending' },
        { id: 'c2', action: 'speed', label: 'speed 10×', status: 'pending' },
      ],
    };
    const update = applyRunState(data, { ...queued, state: 'cancelled', sim_time: 0 }, null);
    expect(update.controls?.[0]).toMatchObject({ status: 'applied', t: 0 });
    expect(update.controls?.[1]).toMatchObject({ status: 'refused', message: 'the run is cancelled' });
    expect(update.queue).toBeNull();
  });
});

describe('applyFrame', () => {
  it('moves the latest frame, the clock and the event log', () => {
    const data: LiveRunData = { ...initialLiveRun, run };
    const f = frame(4, { t: 43, events: [{ t: 43, level: 'error', node: 'web-1', text: 'web-1 is down' }] });
    const update = applyFrame(data, f);
    expect(update.latest).toBe(f);
    expect(update.run?.sim_time).toBe(43);
    expect(update.events).toHaveLength(1);
  });

  it('changes nothing for a frame seen before', () => {
    const f = frame(1);
    expect(applyFrame({ ...initialLiveRun, frames: [f], latest: f }, frame(1))).toEqual({});
  });
});

describe('controls', () => {
  const pending: LiveRunData = {
    ...initialLiveRun,
    controls: [{ id: 'c7', action: 'kill', label: 'kill web-1', status: 'pending' }],
  };

  it('marks our control applied at the simulated time of its ack', () => {
    expect(applyControlAnswer(pending, 'c7', { t: 43 }).controls?.[0]).toMatchObject({ status: 'applied', t: 43 });
  });

  it('marks it refused with the reason', () => {
    const update = applyControlAnswer(pending, 'c7', { message: "kill: no node with id 'web-9'" });
    expect(update.controls?.[0]).toMatchObject({ status: 'refused', message: "kill: no node with id 'web-9'" });
  });

  it('ignores answers to controls that are not ours', () => {
    expect(applyControlAnswer(pending, 'other-tab-1', { t: 1 })).toEqual({});
    expect(applyControlAnswer(pending, null, { t: 1 })).toEqual({});
  });

  it('sends a scheduled change once its time has come', () => {
    const store = useLiveRun.getState();
    store.schedule({ action: 'kill', target: 'web-1' }, 60);
    store.schedule({ action: 'restore', target: 'web-1' }, 120);
    const scheduled = useLiveRun.getState().scheduled;
    expect(dueChanges(scheduled, 59)).toEqual([]);
    expect(dueChanges(scheduled, 60).map((s) => s.change.action)).toEqual(['kill']);
    useLiveRun.getState().scheduledSent(scheduled[0].key, 'c1');
    expect(dueChanges(useLiveRun.getState().scheduled, 200).map((s) => s.change.action)).toEqual(['restore']);
  });
});

describe('replay', () => {
  const replay: ReplayData = {
    runId: 'r1',
    frames: Array.from({ length: 700 }, (_, i) => frame(i + 1, { t: i + 1 })),
    events: [
      { t: 10, level: 'info', node: null, text: 'early' },
      { t: 500, level: 'error', node: 'web-1', text: 'late' },
    ],
    index: 0,
    loading: false,
    error: null,
  };

  it('shows the frame at the scrubber, the window before it and the events so far', () => {
    const view = replaySeek(replay, 99);
    expect(view.latest?.seq).toBe(100);
    expect(seqs(view.frames!)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(view.events!.map((e) => e.text)).toEqual(['early']);
  });

  it('keeps the charts to one window and clamps the index', () => {
    const view = replaySeek(replay, 10_000);
    expect(view.replay?.index).toBe(699);
    expect(view.frames).toHaveLength(CHART_WINDOW);
    expect(view.events).toHaveLength(2);
  });

  it('follows the end while pages arrive, and stays where a person scrubbed', () => {
    const store = useLiveRun.getState();
    store.replayStarted('r1');
    store.replayLoaded(replay.frames.slice(0, 100), [], false);
    expect(useLiveRun.getState().replay?.index).toBe(99);
    useLiveRun.getState().seek(10);
    useLiveRun.getState().replayLoaded(replay.frames, [], true);
    expect(useLiveRun.getState().replay).toMatchObject({ index: 10, loading: false });
    expect(useLiveRun.getState().latest?.seq).toBe(11);
  });
});
