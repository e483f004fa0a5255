/** Side panel for the pipeline check: start a ping run and watch its frames arrive live. */
import { useEffect } from 'react';
import { usePingRun, type ReceivedFrame } from '../store/pingRun';
import { startPingRun, stopPingRun } from './pingSession';

function FrameItem({ frame }: { frame: ReceivedFrame }) {
  return (
    <li className="frame" data-testid="ping-frame" data-seq={frame.seq}>
      <span className="frame-seq">#{frame.seq}</span>
      <span className="frame-message">{frame.message}</span>
      <span className="frame-worker">{frame.worker}</span>
      <span className="frame-delay">{frame.delayMs} ms</span>
    </li>
  );
}

export function PingPanel() {
  const runState = usePingRun((s) => s.runState);
  const totalFrames = usePingRun((s) => s.totalFrames);
  const frames = usePingRun((s) => s.frames);
  const wsStatus = usePingRun((s) => s.wsStatus);
  const error = usePingRun((s) => s.error);
  const starting = usePingRun((s) => s.starting);

  useEffect(() => stopPingRun, []);

  return (
    <aside className="panel" aria-labelledby="ping-title">
      <h2 id="ping-title">Pipeline check: ping run</h2>
      <p className="panel-intro">
        A Celery worker publishes numbered frames through Redis to this page over a WebSocket.
      </p>
      <button
        type="button"
        className="primary"
        data-testid="ping-start"
        disabled={starting}
        onClick={() => void startPingRun()}
      >
        {starting ? 'Starting…' : 'Start ping run'}
      </button>

      <dl className="status">
        <dt>Run</dt>
        <dd>
          <span className="run-state" data-testid="ping-status" data-state={runState ?? ''}>
            {runState ?? 'not started'}
          </span>
          {totalFrames !== null && (
            <span className="muted">
              {' '}
              · {frames.length} of {totalFrames} frames
            </span>
          )}
        </dd>
        <dt>Socket</dt>
        <dd>
          <span className="ws-status" data-testid="ws-status" data-status={wsStatus}>
            {wsStatus}
          </span>
        </dd>
      </dl>

      {error && (
        <p className="error" role="alert" data-testid="ping-error">
          {error}
        </p>
      )}

      {frames.length > 0 && (
        <ol className="frames" data-testid="ping-frames">
          {frames.map((frame) => (
            <FrameItem key={frame.seq} frame={frame} />
          ))}
        </ol>
      )}
    </aside>
  );
}
