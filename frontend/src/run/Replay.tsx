/**
 * Recorded runs and their replay: a list of a design's runs (the owner's, or through a share
 * link), and for the one chosen a time scrubber that drives the same charts, canvas colours and
 * event log as a live run.
 */
import { useEffect, useState } from 'react';
import { runsApi, type Run } from '../api/runs';
import { startReplay, stopReplay } from '../live/replaySession';
import { watchRun } from '../live/runSession';
import { ACTIVE_STATES, useLiveRun } from '../store/liveRun';
import { formatSimTime } from './chartData';

const PLAY_STEP_MS = 100;

export interface RecordedRunsProps {
  scenarioId?: string | null;
  share?: string | null;
  /** Bumped by the page when a run ends, so the list is read again. */
  refresh?: unknown;
}

function when(run: Run): string {
  const date = new Date(run.finished_at ?? run.started_at ?? run.created_at);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function RecordedRuns({ scenarioId = null, share = null, refresh }: RecordedRunsProps) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const replayId = useLiveRun((s) => s.replay?.runId ?? null);
  const liveId = useLiveRun((s) => (s.replay ? null : (s.run?.id ?? null)));

  useEffect(() => {
    let cancelled = false;
    const load = share ? runsApi.listShared(share) : scenarioId ? runsApi.list(scenarioId) : null;
    if (!load) return;
    load
      .then((list) => !cancelled && setRuns(list.filter((r) => r.kind === 'simulation')))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [scenarioId, share, refresh]);

  if (error) return <p className="error small">{error}</p>;
  if (runs === null) return null;
  return (
    <section className="recorded-runs" aria-labelledby="recorded-title" data-testid="recorded-runs">
      <h3 id="recorded-title" className="section-title">
        Recorded runs
      </h3>
      {runs.length === 0 ? (
        <p className="muted small">No runs yet.</p>
      ) : (
        <ul>
          {runs.slice(0, 8).map((run) => {
            const active = ACTIVE_STATES.has(run.state);
            const shown = run.id === replayId || run.id === liveId;
            return (
              <li key={run.id} className={shown ? 'current' : undefined} data-testid="recorded-run" data-state={run.state}>
                <span>
                  <strong>{run.state}</strong> · {formatSimTime(run.sim_time)} of {formatSimTime(run.duration_s)}
                  <span className="muted small"> · {when(run)}</span>
                </span>
                {active ? (
                  <button type="button" className="secondary small" onClick={() => watchRun(run, share)} data-testid="recorded-run-watch" disabled={shown}>
                    Watch live
                  </button>
                ) : (
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => void startReplay(run.id, share)}
                    data-testid="recorded-run-replay"
                  >
                    Replay
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The scrubber of the run being replayed; nothing when no replay is open. */
export function ReplayBar() {
  const replay = useLiveRun((s) => s.replay);
  const [playing, setPlaying] = useState(false);
  const count = replay?.frames.length ?? 0;
  const index = replay?.index ?? 0;

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const { replay: r, seek } = useLiveRun.getState();
      if (!r || r.index >= r.frames.length - 1) {
        setPlaying(false);
        return;
      }
      seek(r.index + 1);
    }, PLAY_STEP_MS);
    return () => clearInterval(timer);
  }, [playing]);

  if (!replay) return null;
  const t = replay.frames[index]?.t ?? 0;
  const end = replay.frames[count - 1]?.t ?? 0;
  return (
    <section className="replay-bar" aria-label="Replay" data-testid="replay">
      <div className="replay-head">
        <strong>Replay</strong>
        <span className="muted small" data-testid="replay-status">
          {replay.error
            ? replay.error
            : replay.loading
              ? `loading… ${count} frames`
              : `${count} frames`}
        </span>
        <button type="button" className="link-button" onClick={() => stopReplay()} data-testid="replay-close">
          Close
        </button>
      </div>
      <div className="replay-controls">
        <button
          type="button"
          className="secondary small"
          onClick={() => {
            if (!playing && index >= count - 1) useLiveRun.getState().seek(0);
            setPlaying(!playing);
          }}
          disabled={count < 2}
          aria-label={playing ? 'Pause the replay' : 'Play the replay'}
          data-testid="replay-play"
        >
          {playing ? '❚❚' : '▶'}
        </button>
        <input
          type="range"
          min={0}
          max={Math.max(0, count - 1)}
          step={1}
          value={index}
          onChange={(e) => {
            setPlaying(false);
            useLiveRun.getState().seek(Number(e.target.value));
          }}
          disabled={count < 2}
          aria-label="Simulated time of the replay"
          aria-valuetext={`${formatSimTime(t)} of ${formatSimTime(end)}`}
          data-testid="replay-scrubber"
        />
        <span className="replay-time" data-testid="replay-time" data-t={t}>
          {formatSimTime(t)} / {formatSimTime(end)}
        </span>
      </div>
    </section>
  );
}
