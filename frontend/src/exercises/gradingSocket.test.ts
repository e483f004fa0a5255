import { describe, expect, it, vi } from 'vitest';
import type { SocketLike } from '../live/socket';
import { openGradingStream } from './gradingSocket';
import type { Submission } from './report';

function fakeSockets() {
  const made: (SocketLike & { url: string })[] = [];
  const factory = (url: string) => {
    const s = { url, onopen: null, onmessage: null, onclose: null, close: vi.fn() } as SocketLike & { url: string };
    made.push(s);
    return s;
  };
  return { made, factory };
}

const location = { protocol: 'https:', host: 'lab.example' };

describe('the grading stream', () => {
  it('hands on progress messages and reconnects after a dropped connection', () => {
    vi.useFakeTimers();
    const { made, factory } = fakeSockets();
    const seen: Submission[] = [];
    const stream = openGradingStream('/ws/submissions/s1/', (s) => seen.push(s), { factory, random: () => 0, location });
    expect(made[0].url).toBe('wss://lab.example/ws/submissions/s1/');
    made[0].onmessage?.({ data: JSON.stringify({ type: 'submission.progress', submission: { id: 's1', state: 'grading' } }) } as MessageEvent);
    made[0].onmessage?.({ data: 'not json' } as MessageEvent);
    expect(seen.map((s) => s.state)).toEqual(['grading']);
    made[0].onclose?.({ code: 1006 } as CloseEvent);
    vi.advanceTimersByTime(250);
    expect(made).toHaveLength(2);
    stream.close();
    expect(made[1].close).toHaveBeenCalled();
    vi.useRealTimers();
  });

  it('stops for good when the server says there is nothing of ours', () => {
    vi.useFakeTimers();
    const { made, factory } = fakeSockets();
    openGradingStream('/ws/exercises/e1/', () => undefined, { factory, random: () => 0, location });
    made[0].onclose?.({ code: 4404 } as CloseEvent);
    vi.advanceTimersByTime(10_000);
    expect(made).toHaveLength(1);
    vi.useRealTimers();
  });
});
