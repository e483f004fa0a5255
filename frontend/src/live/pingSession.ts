/** Starts a ping run: asks the API for a run, then follows it over its WebSocket into the store. */
import { createPingRun, type ApiDeps } from '../api/client';
import { usePingRun } from '../store/pingRun';
import { RunSocket, runSocketUrl, type SocketFactory } from './socket';

export interface PingSessionDeps {
  api?: ApiDeps;
  socketFactory?: SocketFactory;
  location?: { protocol: string; host: string };
  now?: () => number;
}

let current: RunSocket | null = null;
let generation = 0;

export async function startPingRun(frames?: number, deps: PingSessionDeps = {}): Promise<void> {
  stopPingRun();
  const mine = ++generation;
  const store = usePingRun.getState();
  store.runStarting();

  let run;
  try {
    run = await createPingRun(frames, deps.api);
  } catch (error) {
    if (mine === generation) store.failed(error instanceof Error ? error.message : String(error));
    return;
  }
  // A newer start, or a stop, happened while this request was in flight.
  if (mine !== generation) return;
  store.runCreated(run);

  const now = deps.now ?? Date.now;
  current = new RunSocket({
    url: runSocketUrl(run.ws_path, deps.location ?? window.location),
    factory: deps.socketFactory,
    handlers: {
      onStatus: store.wsStatusChanged,
      onState: store.runStateReceived,
      onFrame: (frame) => store.frameReceived(frame, now()),
      onError: (message) => store.failed(message),
    },
  });
  current.connect();
}

export function stopPingRun(): void {
  generation += 1;
  current?.close();
  current = null;
}
