/**
 * Live grading progress: a WebSocket on `/ws/submissions/<id>/` (a student's submission) or
 * `/ws/exercises/<id>/` (an author's dashboard) that hands each `submission.progress` to a
 * callback and reconnects with backoff; the server sends the current state on every connect.
 */
import { useEffect } from 'react';
import { backoffDelay, isFinalCloseCode, runSocketUrl, type SocketFactory } from '../live/socket';
import type { Submission } from './report';

export interface GradingStream {
  close: () => void;
}

export function openGradingStream(
  wsPath: string,
  onSubmission: (s: Submission) => void,
  {
    factory = (url: string) => new WebSocket(url),
    random = Math.random,
    location = window.location,
  }: { factory?: SocketFactory; random?: () => number; location?: { protocol: string; host: string } } = {},
): GradingStream {
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let socket: ReturnType<SocketFactory> | null = null;

  const open = () => {
    const current = factory(runSocketUrl(wsPath, location));
    socket = current;
    current.onopen = () => {
      failures = 0;
    };
    current.onmessage = (event: MessageEvent) => {
      try {
        const message = JSON.parse(String(event.data)) as { type?: string; submission?: Submission };
        if (message.type === 'submission.progress' && message.submission) onSubmission(message.submission);
      } catch {
        // A message that is not JSON is not ours to act on.
      }
    };
    current.onclose = (event: CloseEvent) => {
      if (socket !== current) return;
      socket = null;
      if (stopped || isFinalCloseCode(event.code)) return;
      timer = setTimeout(open, backoffDelay(failures++, random));
    };
  };
  open();
  return {
    close: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      const s = socket;
      socket = null;
      s?.close(1000, 'client closed');
    },
  };
}

/** Follows `wsPath` while the component is mounted (nothing when it is null). */
export function useGradingStream(wsPath: string | null, onSubmission: (s: Submission) => void): void {
  useEffect(() => {
    if (!wsPath) return;
    const stream = openGradingStream(wsPath, onSubmission);
    return stream.close;
    // The callback is expected to be a store setter; a new closure must not reconnect.
  }, [wsPath]);
}
