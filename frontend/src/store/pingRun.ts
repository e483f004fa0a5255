/**
 * Live state of the ping run pipeline check: the run, its frames (deduplicated, in seq order,
 * newest kept when the buffer is full), the socket status and the last error.
 */
import { create } from 'zustand';
import type { PingFrame, RunSummary, WsStatus } from '../live/socket';

/** Frames kept in memory; older ones are dropped first. */
export const MAX_FRAMES = 1000;

export interface ReceivedFrame extends PingFrame {
  /** Milliseconds between the worker producing the frame and this page receiving it. */
  delayMs: number;
}

export interface PingRunData {
  runId: string | null;
  runState: string | null;
  totalFrames: number | null;
  frames: ReceivedFrame[];
  wsStatus: WsStatus;
  error: string | null;
  starting: boolean;
}

export const initialPingRun: PingRunData = {
  runId: null,
  runState: null,
  totalFrames: null,
  frames: [],
  wsStatus: 'idle',
  error: null,
  starting: false,
};

export function deliveryDelayMs(producedAt: number, nowMs: number): number {
  return Math.round((nowMs / 1000 - producedAt) * 1000);
}

/**
 * Adds a frame unless its seq is already present, keeping seq order. Frames may arrive twice
 * because the backlog sent on reconnect overlaps with live delivery.
 */
export function mergeFrame(
  frames: ReceivedFrame[],
  frame: ReceivedFrame,
  limit = MAX_FRAMES,
): ReceivedFrame[] {
  let index = frames.length;
  while (index > 0 && frames[index - 1].seq > frame.seq) index -= 1;
  if (index > 0 && frames[index - 1].seq === frame.seq) return frames;
  if (frames.length >= limit && index === 0) return frames;
  const merged = [...frames.slice(0, index), frame, ...frames.slice(index)];
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

export function applyRunState(data: PingRunData, run: RunSummary): Partial<PingRunData> {
  if (data.runId !== null && run.id !== data.runId) return {};
  const update: Partial<PingRunData> = { runState: run.state, totalFrames: run.frames };
  if (run.state === 'failed') {
    update.error = run.failure_reason ? `The run failed: ${run.failure_reason}` : 'The run failed.';
  }
  return update;
}

export function applyFrame(
  data: PingRunData,
  frame: PingFrame,
  nowMs: number,
): Partial<PingRunData> {
  const received = { ...frame, delayMs: deliveryDelayMs(frame.produced_at, nowMs) };
  return { frames: mergeFrame(data.frames, received) };
}

export interface PingRunActions {
  runStarting(): void;
  runCreated(run: RunSummary): void;
  runStateReceived(run: RunSummary): void;
  frameReceived(frame: PingFrame, nowMs: number): void;
  wsStatusChanged(status: WsStatus): void;
  failed(message: string): void;
}

export type PingRunStore = PingRunData & PingRunActions;

export const usePingRun = create<PingRunStore>()((set) => ({
  ...initialPingRun,
  runStarting: () => set({ ...initialPingRun, starting: true }),
  runCreated: (run) =>
    set({ runId: run.id, runState: run.state, totalFrames: run.frames, starting: false }),
  runStateReceived: (run) => set((data) => applyRunState(data, run)),
  frameReceived: (frame, nowMs) => set((data) => applyFrame(data, frame, nowMs)),
  wsStatusChanged: (wsStatus) => set({ wsStatus }),
  failed: (error) => set({ error, starting: false }),
}));
