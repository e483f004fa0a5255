/**
 * The live run's glue: starts a run (or attaches to one), follows its WebSocket into the
 * live-run store, sends the owner's controls with ids so their answers can be matched, and
 * sends scheduled changes when the run's simulated time reaches them.
 */
import type { ApiDeps } from '../api/client';
import { runsApi, type Run, type RunOptions } from '../api/runs';
import { useLiveRun, dueChanges, ENDED_STATES } from '../store/liveRun';
import { describeControl, type ControlAction, type ControlFields } from './controls';
import { asMetricFrame, type MetricFrame } from './frames';
import { RunSocket, runSocketUrl, type RunSummary, type SocketFactory } from './socket';

export interface RunSessionDeps {
  api?: ApiDeps;
  socketFactory?: SocketFactory;
  location?: { protocol: string; host: string };
}

let deps: RunSessionDeps = {};
let current: RunSocket<unknown> | null = null;
let generation = 0;
let controlCounter = 0;
/** How to take back the design edit made with one of our controls, by id, should the run refuse it. */
const takeBacks = new Map<string, () => void>();
// Acks go to everyone watching the run, so our ids carry a prefix no other tab shares.
const idPrefix = `c${Math.random().toString(36).slice(2, 8)}-`;

/** Replaces the session's dependencies (tests pass fakes; the app keeps the browser's). */
export function configureRunSession(next: RunSessionDeps): void {
  deps = next;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts a run of the saved scenario and follows it. */
export async function startRun(options: RunOptions): Promise<Run | null> {
  return begin(() => runsApi.start(options, deps.api));
}

/** Starts a finished run again, with the same snapshot and options, and follows it. */
export async function runAgain(runId: string): Promise<Run | null> {
  return begin(() => runsApi.again(runId, deps.api));
}

async function begin(create: () => Promise<Run>): Promise<Run | null> {
  stopWatching();
  const mine = generation;
  const store = useLiveRun.getState();
  store.startRequested();
  let run: Run;
  try {
    run = await create();
  } catch (error) {
    if (mine === generation) store.failed(message(error));
    return null;
  }
  // A newer start, or a stop, happened while this request was in flight.
  if (mine !== generation) return null;
  watchRun(run);
  return run;
}

/**
 * Follows a run that already exists: the owner's (after a reload) or, with `share`, a run of a
 * shared design that its holder may watch but not control.
 */
export function watchRun(run: RunSummary & { ws_path: string }, share: string | null = null): void {
  stopWatching();
  const mine = generation;
  const store = useLiveRun.getState();
  if (store.run?.id !== run.id) store.startRequested();
  store.runCreated(run);
  const url = new URL(runSocketUrl(run.ws_path, deps.location ?? window.location));
  if (share) url.searchParams.set('share', share);

  const socket = new RunSocket<unknown>({
    url: url.toString(),
    factory: deps.socketFactory,
    handlers: {
      onStatus: (status) => mine === generation && useLiveRun.getState().statusChanged(status),
      onState: (state, _lastSeq, role) => useLiveRun.getState().stateReceived(state, role),
      onEvents: (events) => useLiveRun.getState().eventsReceived(events),
      onQueue: (queue) => useLiveRun.getState().queueReceived(queue),
      onFrame: (raw, seq) => {
        const frame = asMetricFrame(raw, seq);
        if (frame === null) return;
        useLiveRun.getState().frameReceived(frame);
        sendDueChanges(frame);
      },
      onAck: (id, _action, t) => {
        useLiveRun.getState().controlApplied(id, t);
        if (id !== null) takeBacks.delete(String(id));
      },
      onControlError: (id, text) => {
        useLiveRun.getState().controlRefusedByRun(id, text);
        if (id === null) return;
        const takeBack = takeBacks.get(String(id));
        takeBacks.delete(String(id));
        takeBack?.();
      },
      onError: (text) => useLiveRun.getState().failed(text),
    },
  });
  current = socket;
  socket.connect();
}

function sendDueChanges(frame: MetricFrame): void {
  const store = useLiveRun.getState();
  if (store.role !== 'owner' || !store.run || ENDED_STATES.has(store.run.state)) return;
  for (const item of dueChanges(store.scheduled, frame.t)) {
    const { action, ...fields } = item.change;
    const id = sendControl(action as ControlAction, fields);
    if (id !== null) store.scheduledSent(item.key, id);
  }
}

/** The node a control is about: its target, or the node it adds. */
function controlTarget(fields: ControlFields): string | undefined {
  if (typeof fields.target === 'string') return fields.target;
  const node = fields.node as { id?: unknown } | undefined;
  return typeof node?.id === 'string' ? node.id : undefined;
}

/**
 * Sends a control to the run; returns its id, or null when it could not be sent (the reason is
 * recorded with it so that the person sees it). A control that changes the design too passes
 * `edit`: it is made once the control is sent and returns how to take it back, which happens if
 * the run refuses the control, so that the design never keeps a change that did not run.
 */
export function sendControl(action: ControlAction, fields: ControlFields = {}, edit?: () => () => void): string | null {
  const id = `${idPrefix}${++controlCounter}`;
  const store = useLiveRun.getState();
  const label = describeControl(action, fields);
  store.controlSent({ id, action, label, status: 'pending', target: controlTarget(fields) });
  const sent = current?.send({ type: 'control', id, action, ...fields }) ?? false;
  if (!sent) {
    store.controlRefused(id, 'not connected to the run: try again once it reconnects');
    return null;
  }
  if (edit) takeBacks.set(id, edit());
  return id;
}

/** Stops following the run (the run itself goes on). */
export function stopWatching(): void {
  generation += 1;
  takeBacks.clear();
  current?.close();
  current = null;
}
