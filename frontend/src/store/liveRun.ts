/**
 * The live run on screen (not undoable): its state and the watcher's role, its place in the
 * line for a worker while queued, the socket status, the newest frames in a window sized for
 * the charts, the event log, the controls sent and their answers, failures scheduled for later
 * in the run, and a recorded run being replayed.
 * The reducers are pure functions of the data so that they can be tested without a store.
 */
import { create } from 'zustand';
import type { MetricFrame } from '../live/frames';
import type { ControlId, RunEventLine, RunQueue, RunSummary, WsStatus } from '../live/socket';

/** Frames the charts show: a minute of simulated time at 10 frames per second. */
export const CHART_WINDOW = 600;
export const MAX_EVENTS = 500;
export const MAX_CONTROLS = 30;

export type RunRole = 'owner' | 'watcher';

export const ACTIVE_STATES = new Set(['queued', 'running', 'paused']);
export const ENDED_STATES = new Set(['finished', 'failed', 'cancelled']);

export interface ControlRecord {
  id: string;
  action: string;
  /** What it does, in words ("kill web-1"). */
  label: string;
  status: 'pending' | 'applied' | 'refused';
  /** Simulated time at which it took effect. */
  t?: number;
  /** Why it was refused. */
  message?: string;
  /** The node it is about, for the event log. */
  target?: string;
}

/** A change to send when the run's simulated time reaches `at_s`. */
export interface ScheduledChange {
  key: string;
  at_s: number;
  change: Record<string, unknown>;
  status: 'waiting' | 'sent';
  controlId?: string;
}

export interface ReplayData {
  runId: string;
  frames: MetricFrame[];
  events: RunEventLine[];
  /** Index of the frame shown. */
  index: number;
  loading: boolean;
  error: string | null;
}

export interface LiveRunData {
  run: RunSummary | null;
  role: RunRole | null;
  /** Where the run waits for a worker; null unless it is queued and the server said. */
  queue: RunQueue | null;
  status: WsStatus;
  starting: boolean;
  error: string | null;
  /** The newest frames, in seq order, at most CHART_WINDOW of them. */
  frames: MetricFrame[];
  /** The frame the canvas shows. */
  latest: MetricFrame | null;
  events: RunEventLine[];
  controls: ControlRecord[];
  scheduled: ScheduledChange[];
  replay: ReplayData | null;
}

export const initialLiveRun: LiveRunData = {
  run: null,
  role: null,
  queue: null,
  status: 'idle',
  starting: false,
  error: null,
  frames: [],
  latest: null,
  events: [],
  controls: [],
  scheduled: [],
  replay: null,
};

/**
 * Adds a frame in seq order unless it is already there (a reconnect's backlog may overlap live
 * delivery), keeping the newest `limit`. Appending the next frame, the common case, is O(window).
 */
export function mergeFrame(frames: MetricFrame[], frame: MetricFrame, limit = CHART_WINDOW): MetricFrame[] {
  const last = frames[frames.length - 1];
  let merged: MetricFrame[];
  if (last === undefined || last.seq < frame.seq) {
    merged = frames.length >= limit ? [...frames.slice(frames.length - limit + 1), frame] : [...frames, frame];
    return merged;
  }
  let index = frames.length;
  while (index > 0 && frames[index - 1].seq > frame.seq) index -= 1;
  if (index > 0 && frames[index - 1].seq === frame.seq) return frames;
  if (frames.length >= limit && index === 0) return frames;
  merged = [...frames.slice(0, index), frame, ...frames.slice(index)];
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

const eventKey = (e: RunEventLine) => `${e.t}|${e.level}|${e.node ?? ''}|${e.text}`;

/**
 * Adds event lines not yet in the log, in time order, keeping the newest `limit`. The log sent
 * on connect and the events carried by the backlog's frames overlap; each line is kept once.
 */
export function mergeEvents(log: RunEventLine[], incoming: RunEventLine[], limit = MAX_EVENTS): RunEventLine[] {
  if (incoming.length === 0) return log;
  const seen = new Set(log.map(eventKey));
  const fresh = incoming.filter((e) => {
    const key = eventKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (fresh.length === 0) return log;
  const merged = [...log, ...fresh];
  // Stable: lines of the same time keep the order they came in.
  const ordered = merged.every((e, i) => i === 0 || merged[i - 1].t <= e.t)
    ? merged
    : merged.map((e, i) => [e, i] as const).sort((a, b) => a[0].t - b[0].t || a[1] - b[1]).map(([e]) => e);
  return ordered.length > limit ? ordered.slice(ordered.length - limit) : ordered;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * The known fields of a `queue` object from the server, or null when there is none or it lacks
 * the place or its words (fields added later are left out).
 */
export function asRunQueue(raw: unknown): RunQueue | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const q = raw as Record<string, unknown>;
  const place = numberOrNull(q.place);
  if (place === null || typeof q.text !== 'string' || q.text.trim() === '') return null;
  return { place, waiting: numberOrNull(q.waiting), estimate_s: numberOrNull(q.estimate_s), text: q.text.trim() };
}

/** The run's place in the line, after a state or a summary from the API. */
function queueOf(data: LiveRunData, run: RunSummary): RunQueue | null {
  if (run.state !== 'queued') return null;
  // A state without the field (an older message) leaves the place as it was.
  return 'queue' in run ? asRunQueue(run.queue) : data.queue;
}

/** A `run.queue` message: counts only while the run is still queued (it may cross a start). */
export function applyQueue(data: LiveRunData, raw: unknown): Partial<LiveRunData> {
  if (data.run?.state !== 'queued') return {};
  return { queue: asRunQueue(raw) };
}

export function applyRunState(
  data: LiveRunData,
  run: RunSummary,
  role: RunRole | null,
): Partial<LiveRunData> {
  if (data.run !== null && run.id !== data.run.id) return {};
  // Frames, charts and the log are left alone: a run taken over by another worker after its
  // host died goes running -> running and its frames go on from the next seq.
  const update: Partial<LiveRunData> = { run: { ...data.run, ...run }, queue: queueOf(data, run), starting: false };
  if (role !== null) update.role = role;
  if (run.state === 'failed') {
    update.error = run.failure_reason ? `The run failed: ${run.failure_reason}` : 'The run failed.';
  }
  if (ENDED_STATES.has(run.state)) {
    // Nothing more will be applied: whatever is still waiting for an answer never will be,
    // except a stop the run ended by, which took effect acknowledged or not (a queued run has
    // no tick to acknowledge it at).
    update.controls = data.controls.map((c) =>
      c.status !== 'pending'
        ? c
        : run.state === 'cancelled' && c.action === 'stop'
          ? { ...c, status: 'applied', t: run.sim_time ?? data.run?.sim_time ?? 0 }
          : { ...c, status: 'refused', message: `the run is ${run.state}` },
    );
  }
  return update;
}

export function applyFrame(data: LiveRunData, frame: MetricFrame): Partial<LiveRunData> {
  const frames = mergeFrame(data.frames, frame);
  if (frames === data.frames) return {};
  const newest = frames[frames.length - 1];
  const update: Partial<LiveRunData> = { frames, latest: newest };
  if (frame.events && frame.events.length > 0) update.events = mergeEvents(data.events, frame.events);
  if (data.run && newest === frame) update.run = { ...data.run, sim_time: frame.t };
  return update;
}

export function applyControlSent(data: LiveRunData, record: ControlRecord): Partial<LiveRunData> {
  const controls = [...data.controls, record];
  return { controls: controls.length > MAX_CONTROLS ? controls.slice(-MAX_CONTROLS) : controls };
}

/** The answer to one of our controls; acks for other people's controls change nothing. */
export function applyControlAnswer(
  data: LiveRunData,
  id: ControlId | null,
  answer: { t: number } | { message: string },
): Partial<LiveRunData> {
  if (id === null) return {};
  const key = String(id);
  const index = data.controls.findIndex((c) => c.id === key);
  if (index === -1 || data.controls[index].status !== 'pending') return {};
  const controls = [...data.controls];
  controls[index] =
    't' in answer
      ? { ...controls[index], status: 'applied', t: answer.t }
      : { ...controls[index], status: 'refused', message: answer.message };
  return { controls };
}

/**
 * The run's refusal of one of our controls: recorded with the control, and said in the event
 * log ("refused: …") where the person watching the run reads what happened.
 */
export function applyControlRefusal(data: LiveRunData, id: ControlId | null, message: string): Partial<LiveRunData> {
  const update = applyControlAnswer(data, id, { message });
  if (!update.controls) return update;
  const record = data.controls.find((c) => c.id === String(id));
  const t = data.latest?.t ?? data.run?.sim_time ?? 0;
  const line: RunEventLine = { t, level: 'error', node: record?.target ?? null, text: `refused: ${message}` };
  return { ...update, events: mergeEvents(data.events, [line]) };
}

/** The scheduled changes whose time has come at simulated time `t`. */
export function dueChanges(scheduled: ScheduledChange[], t: number): ScheduledChange[] {
  return scheduled.filter((s) => s.status === 'waiting' && s.at_s <= t);
}

/**
 * Shows the recorded frame at `index`: the charts get the window of frames up to it, the
 * canvas that frame, and the log the lines up to its time.
 */
export function replaySeek(replay: ReplayData, index: number): Partial<LiveRunData> {
  if (replay.frames.length === 0) return { replay: { ...replay, index: 0 }, frames: [], latest: null, events: [] };
  const at = Math.max(0, Math.min(replay.frames.length - 1, Math.round(index)));
  const latest = replay.frames[at];
  return {
    replay: { ...replay, index: at },
    frames: replay.frames.slice(Math.max(0, at + 1 - CHART_WINDOW), at + 1),
    latest,
    events: replay.events.filter((e) => e.t <= latest.t),
  };
}

export interface LiveRunActions {
  startRequested(): void;
  runCreated(run: RunSummary): void;
  stateReceived(run: RunSummary, role: RunRole | null): void;
  queueReceived(queue: unknown): void;
  eventsReceived(events: RunEventLine[]): void;
  frameReceived(frame: MetricFrame): void;
  statusChanged(status: WsStatus): void;
  controlSent(record: ControlRecord): void;
  controlApplied(id: ControlId | null, t: number): void;
  controlRefused(id: ControlId | null, message: string): void;
  /** The run (the worker or the connection) refused one of our controls. */
  controlRefusedByRun(id: ControlId | null, message: string): void;
  schedule(change: Record<string, unknown>, atS: number): void;
  unschedule(key: string): void;
  scheduledSent(key: string, controlId: string): void;
  failed(message: string): void;
  replayStarted(runId: string): void;
  replayLoaded(frames: MetricFrame[], events: RunEventLine[], done: boolean): void;
  replayFailed(message: string): void;
  seek(index: number): void;
  reset(): void;
}

export type LiveRunStore = LiveRunData & LiveRunActions;

let scheduleCounter = 0;

export const useLiveRun = create<LiveRunStore>()((set, get) => ({
  ...initialLiveRun,
  startRequested: () => set({ ...initialLiveRun, scheduled: get().scheduled, starting: true }),
  runCreated: (run) => set((d) => ({ run, queue: queueOf(d, run), starting: false, error: null })),
  stateReceived: (run, role) => set((d) => applyRunState(d, run, role)),
  queueReceived: (queue) => set((d) => applyQueue(d, queue)),
  eventsReceived: (events) => set((d) => ({ events: mergeEvents(d.events, events) })),
  frameReceived: (frame) => set((d) => applyFrame(d, frame)),
  statusChanged: (status) => set({ status }),
  controlSent: (record) => set((d) => applyControlSent(d, record)),
  controlApplied: (id, t) => set((d) => applyControlAnswer(d, id, { t })),
  controlRefused: (id, message) => set((d) => applyControlAnswer(d, id, { message })),
  controlRefusedByRun: (id, message) => set((d) => applyControlRefusal(d, id, message)),
  schedule: (change, atS) =>
    set((d) => ({
      scheduled: [...d.scheduled, { key: `s${++scheduleCounter}`, at_s: atS, change, status: 'waiting' as const }].sort(
        (a, b) => a.at_s - b.at_s,
      ),
    })),
  unschedule: (key) => set((d) => ({ scheduled: d.scheduled.filter((s) => s.key !== key) })),
  scheduledSent: (key, controlId) =>
    set((d) => ({
      scheduled: d.scheduled.map((s) => (s.key === key ? { ...s, status: 'sent' as const, controlId } : s)),
    })),
  failed: (error) => set({ error, starting: false }),
  replayStarted: (runId) =>
    set({
      ...initialLiveRun,
      replay: { runId, frames: [], events: [], index: 0, loading: true, error: null },
    }),
  replayLoaded: (frames, events, done) =>
    set((d) => {
      if (!d.replay) return {};
      const replay = { ...d.replay, frames, events, loading: !done };
      // While pages arrive the view follows the end; once a person scrubs, it stays put.
      const follow = d.replay.index >= d.replay.frames.length - 1;
      return replaySeek(replay, follow ? frames.length - 1 : d.replay.index);
    }),
  replayFailed: (message) =>
    set((d) => (d.replay ? { replay: { ...d.replay, loading: false, error: message } } : {})),
  seek: (index) => set((d) => (d.replay ? replaySeek(d.replay, index) : {})),
  reset: () => set(initialLiveRun),
}));
