/**
 * Loads a recorded run for replay: its event log, then its frames page by page into the
 * live-run store, which shows the part loaded so far while the rest arrives.
 */
import type { ApiDeps } from '../api/client';
import { runsApi } from '../api/runs';
import { useLiveRun } from '../store/liveRun';
import { asMetricFrame, type MetricFrame } from './frames';
import { stopWatching } from './runSession';

export const PAGE_SIZE = 1000;
/** A replay keeps at most this many frames (a day-long run at one frame a second is 86,400). */
export const MAX_REPLAY_FRAMES = 20_000;

let generation = 0;

export async function startReplay(runId: string, share: string | null = null, api?: ApiDeps): Promise<void> {
  stopWatching();
  const mine = ++generation;
  const store = useLiveRun.getState();
  store.replayStarted(runId);
  const current = () => mine === generation;
  try {
    const events = await runsApi.events(runId, share, api);
    if (!current()) return;
    const frames: MetricFrame[] = [];
    let after: number | null = 0;
    while (after !== null && frames.length < MAX_REPLAY_FRAMES) {
      const page = await runsApi.frames(runId, after, PAGE_SIZE, share, api);
      if (!current()) return;
      for (const raw of page.frames) {
        const frame = asMetricFrame(raw);
        if (frame) frames.push(frame);
      }
      after = page.next_after;
      store.replayLoaded([...frames], events, after === null || frames.length >= MAX_REPLAY_FRAMES);
    }
  } catch (error) {
    if (current()) store.replayFailed(error instanceof Error ? error.message : String(error));
  }
}

export function stopReplay(): void {
  generation += 1;
  useLiveRun.getState().reset();
}
