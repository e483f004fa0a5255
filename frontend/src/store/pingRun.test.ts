import { beforeEach, describe, expect, it } from 'vitest';
import type { PingFrame } from '../live/socket';
import {
  deliveryDelayMs,
  initialPingRun,
  mergeFrame,
  usePingRun,
  type ReceivedFrame,
} from './pingRun';

function pingFrame(seq: number, producedAt = 1764275000): PingFrame {
  return {
    seq,
    sim_time: seq / 10,
    produced_at: producedAt,
    worker: 'celery@host',
    message: `ping ${seq}`,
  };
}

function received(seq: number): ReceivedFrame {
  return { ...pingFrame(seq), delayMs: 0 };
}

const seqs = (frames: ReceivedFrame[]) => frames.map((f) => f.seq);

describe('mergeFrame', () => {
  it('keeps frames in seq order whatever the arrival order', () => {
    let frames: ReceivedFrame[] = [];
    for (const seq of [3, 1, 4, 2, 6, 5]) frames = mergeFrame(frames, received(seq));
    expect(seqs(frames)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops a frame whose seq is already present and keeps the first copy', () => {
    const first = received(2);
    const frames = mergeFrame(mergeFrame([received(1)], first), received(3));
    const duplicate = { ...received(2), message: 'second copy' };
    const merged = mergeFrame(frames, duplicate);
    expect(merged).toBe(frames);
    expect(merged[1]).toBe(first);
  });

  it('keeps only the newest frames when the buffer is full', () => {
    let frames: ReceivedFrame[] = [];
    for (let seq = 1; seq <= 5; seq += 1) frames = mergeFrame(frames, received(seq), 3);
    expect(seqs(frames)).toEqual([3, 4, 5]);
    expect(seqs(mergeFrame(frames, received(1), 3))).toEqual([3, 4, 5]);
  });
});

describe('deliveryDelayMs', () => {
  it('is the time from production to receipt in whole milliseconds', () => {
    expect(deliveryDelayMs(1764275000.1, 1764275000112)).toBe(12);
  });
});

describe('usePingRun', () => {
  beforeEach(() => {
    usePingRun.setState(initialPingRun);
  });

  it('dedupes and orders frames received over overlapping backlog and live delivery', () => {
    const store = usePingRun.getState();
    store.runCreated({ id: 'abc', state: 'queued', frames: 4 });
    for (const seq of [1, 2, 3, 2, 3, 4, 1]) store.frameReceived(pingFrame(seq), 1764275000050);
    const { frames } = usePingRun.getState();
    expect(seqs(frames)).toEqual([1, 2, 3, 4]);
    expect(frames[0].delayMs).toBe(50);
  });

  it('records the state word exactly as the server sends it', () => {
    const store = usePingRun.getState();
    store.runCreated({ id: 'abc', state: 'queued', frames: 10 });
    store.runStateReceived({ id: 'abc', state: 'running', frames: 10 });
    expect(usePingRun.getState().runState).toBe('running');
    store.runStateReceived({ id: 'abc', state: 'finished', frames: 10 });
    expect(usePingRun.getState().runState).toBe('finished');
  });

  it('explains a failed run with the reason the server gives', () => {
    const store = usePingRun.getState();
    store.runCreated({ id: 'abc', state: 'running', frames: 10 });
    store.runStateReceived({
      id: 'abc',
      state: 'failed',
      frames: 10,
      failure_reason: 'worker lost: SIGKILL',
    });
    expect(usePingRun.getState().runState).toBe('failed');
    expect(usePingRun.getState().error).toBe('The run failed: worker lost: SIGKILL');
  });

  it('ignores state messages about another run', () => {
    const store = usePingRun.getState();
    store.runCreated({ id: 'abc', state: 'running', frames: 10 });
    store.runStateReceived({ id: 'other', state: 'failed', frames: 10 });
    expect(usePingRun.getState().runState).toBe('running');
  });

  it('clears the previous run, frames and error when a new run starts', () => {
    const store = usePingRun.getState();
    store.runCreated({ id: 'abc', state: 'finished', frames: 1 });
    store.frameReceived(pingFrame(1), 0);
    store.failed('Something broke.');
    store.runStarting();
    const data = usePingRun.getState();
    expect(data.frames).toEqual([]);
    expect(data.error).toBeNull();
    expect(data.runId).toBeNull();
    expect(data.starting).toBe(true);
  });
});
