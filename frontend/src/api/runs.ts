/** The live-run endpoints: start a run, read runs, replay their frames and event log (also
 * through a share link), start one again. */
import { request, type ApiDeps } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
// `queue`: a queued run's place in the line for a worker (null once a host took it).
export type Run = Schemas['RunOut'];
export type RunEvent = Schemas['EventOut'];
export type FramesPage = Schemas['FramesPageOut'];

/** flow: any scale; des: every request simulated, for designs offering few enough requests. */
export type Engine = 'flow' | 'des';

export interface RunOptions {
  scenario: string;
  /** Default: flow. */
  engine?: Engine;
  duration_s?: number | null;
  speed?: number;
  seed?: number | null;
}

const enc = encodeURIComponent;

/** `/api/runs/…` for the owner, `/api/shared/<token>/runs/…` through a share link. */
function runPath(runId: string, share: string | null | undefined, rest = ''): string {
  const base = share ? `/api/shared/${enc(share)}/runs` : '/api/runs';
  return `${base}/${enc(runId)}${rest}`;
}

export const runsApi = {
  start: (options: RunOptions, deps?: ApiDeps) =>
    request('POST', '/api/runs', { engine: 'flow', ...options }, deps) as Promise<Run>,
  again: (runId: string, deps?: ApiDeps) =>
    request('POST', `/api/runs/${enc(runId)}/again`, {}, deps) as Promise<Run>,
  list: (scenarioId: string, deps?: ApiDeps) =>
    request('GET', `/api/runs?scenario=${enc(scenarioId)}`, undefined, deps) as Promise<Run[]>,
  listShared: (token: string, deps?: ApiDeps) =>
    request('GET', `/api/shared/${enc(token)}/runs`, undefined, deps) as Promise<Run[]>,
  get: (runId: string, share?: string | null, deps?: ApiDeps) =>
    request('GET', runPath(runId, share), undefined, deps) as Promise<Run>,
  frames: (runId: string, after: number, limit: number, share?: string | null, deps?: ApiDeps) =>
    request('GET', `${runPath(runId, share, '/frames')}?after=${after}&limit=${limit}`, undefined, deps) as Promise<FramesPage>,
  events: (runId: string, share?: string | null, deps?: ApiDeps) =>
    request('GET', runPath(runId, share, '/events'), undefined, deps) as Promise<RunEvent[]>,
};
