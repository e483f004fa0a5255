/**
 * Run, pause, resume, stop and run again; users on a logarithmic slider with a typed input;
 * traffic shape, speed, duration and engine; a queued run's place in the line. Before a run the
 * users and shape are the design's; during a run a change of users or speed is sent to the run
 * and shows in its next frames.
 */
import { useEffect, useRef, useState } from 'react';
import type { Engine } from '../api/runs';
import { speedLabel } from '../live/controls';
import { runAgain, sendControl, startRun, stopWatching } from '../live/runSession';
import { ACTIVE_STATES, ENDED_STATES, useLiveRun, type ControlRecord } from '../store/liveRun';
import { formatSimTime } from './chartData';
import { DEFAULT_REQUESTS_PER_USER_PER_S } from './designLink';
import { DES_ADDS, ENGINES, desRefusal, engineToRun, offeredRps } from './engine';
import { MAX_USERS, SLIDER_STEPS, formatUsers, parseUsers, sliderToUsers, usersToSlider } from './usersScale';

export const SPEEDS = [1, 2, 5, 10, 30, 100, 1000, 0];

export const SHAPES: Record<string, { label: string; shape: Record<string, unknown> }> = {
  constant: { label: 'Constant', shape: { type: 'constant' } },
  ramp: { label: 'Ramp up over 5 min', shape: { type: 'ramp', start_s: 0, end_s: 300, from_factor: 0, to_factor: 1 } },
  step: { label: 'Step ×2 at 1 min', shape: { type: 'step', at_s: 60, factor: 2 } },
  spike: { label: 'Spike ×5 at 1 min for 30 s', shape: { type: 'spike', at_s: 60, duration_s: 30, factor: 5 } },
  diurnal: { label: 'Day and night (10 min day)', shape: { type: 'diurnal', period_s: 600, min_factor: 0.3, peak_at_s: 0 } },
};

const COMMIT_MS = 300;

export interface RunControlsProps {
  scenarioId: string | null;
  /** The design's users (workload.users). */
  users: number;
  /** The design's workload.requests_per_user_per_s. */
  requestsPerUser?: number;
  /** Before a run: writes the users into the design. */
  onUsersChange?: (users: number) => void;
  /**
   * During a run: writes the users sent to the run into the design too, so that the users node
   * shows them and they stay after the run; returns how to take that back if the run refuses.
   */
  onLiveUsersChange?: (users: number) => () => void;
  /** The design's traffic shape type. */
  shape?: string;
  onShapeChange?: (shape: Record<string, unknown>) => void;
  /** The design's run.duration_s. */
  durationS?: number;
  /** Saves the design, so that the run snapshots what is on screen. */
  beforeStart?: () => Promise<void>;
  /** Why the design cannot run now (it has errors …); null when it can. */
  blocked?: string | null;
}

function statusText(state: string | undefined, starting: boolean): string {
  if (starting) return 'starting…';
  if (!state) return 'not started';
  return state;
}

export function RunControls(props: RunControlsProps) {
  const { scenarioId, users, onUsersChange, onLiveUsersChange, shape = 'constant', onShapeChange, durationS = 300, beforeStart, blocked } = props;
  const requestsPerUser = props.requestsPerUser ?? DEFAULT_REQUESTS_PER_USER_PER_S;
  const run = useLiveRun((s) => s.run);
  const queue = useLiveRun((s) => s.queue);
  const role = useLiveRun((s) => s.role);
  const starting = useLiveRun((s) => s.starting);
  const status = useLiveRun((s) => s.status);
  const error = useLiveRun((s) => s.error);
  const liveUsers = useLiveRun((s) => s.latest?.system.users);
  const replaying = useLiveRun((s) => s.replay !== null);

  const state = replaying ? undefined : run?.state;
  const active = state !== undefined && ACTIVE_STATES.has(state);
  const ended = state !== undefined && ENDED_STATES.has(state);
  const owner = role === 'owner' || (run !== null && role === null);
  const controllable = active && owner && status === 'open';

  const [speed, setSpeed] = useState(10);
  const [duration, setDuration] = useState(durationS);
  const [target, setTarget] = useState(users);
  const [typed, setTyped] = useState(formatUsers(users));
  const [typedError, setTypedError] = useState<string | null>(null);
  const [engine, setEngine] = useState<Engine>('flow');
  const commitTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setDuration(durationS), [durationS]);
  // A run followed after a reload shows its own speed.
  const runSpeed = run?.speed;
  useEffect(() => {
    if (runSpeed !== undefined) setSpeed(runSpeed);
  }, [run?.id, runSpeed]);
  // The design's users change elsewhere (undo, the inspector): follow them while no run goes.
  useEffect(() => {
    if (active) return;
    setTarget(users);
    setTyped(formatUsers(users));
  }, [users, active]);
  useEffect(() => () => {
    if (commitTimer.current) clearTimeout(commitTimer.current);
  }, []);

  function commitUsers(value: number, delay = COMMIT_MS) {
    if (commitTimer.current) clearTimeout(commitTimer.current);
    commitTimer.current = setTimeout(() => {
      commitTimer.current = null;
      if (controllable) sendControl('users', { users: value }, onLiveUsersChange && (() => onLiveUsersChange(value)));
      else onUsersChange?.(value);
    }, delay);
  }

  function setUsers(value: number, delay?: number) {
    setTarget(value);
    setTyped(formatUsers(value));
    setTypedError(null);
    commitUsers(value, delay);
  }

  function onTyped() {
    const value = parseUsers(typed);
    if (value === null) {
      setTypedError(`Type a number of users from 0 to ${formatUsers(MAX_USERS)}, like 20000, 20k or 1.5M.`);
      return;
    }
    // Enter and then leaving the field must not send the same change twice.
    if (value === target) {
      setTyped(formatUsers(value));
      setTypedError(null);
      return;
    }
    setUsers(value, 0);
  }

  async function start() {
    if (!scenarioId) return;
    // A change of users still waiting for its pause is written before the run snapshots the design.
    if (commitTimer.current) {
      clearTimeout(commitTimer.current);
      commitTimer.current = null;
      onUsersChange?.(target);
    }
    try {
      await beforeStart?.();
    } catch (e) {
      useLiveRun.getState().failed(`The design could not be saved before the run: ${(e as Error).message}`);
      return;
    }
    await startRun({ scenario: scenarioId, engine: runEngine, speed, duration_s: duration });
  }

  function changeSpeed(value: number) {
    setSpeed(value);
    if (controllable) sendControl('speed', { speed: value });
  }

  // The users on the panel, not yet written into the design, count already.
  const offered = offeredRps(target, requestsPerUser);
  const desRefused = desRefusal(offered);
  const runEngine = engineToRun(engine, offered);
  const shownEngine = active && run?.engine && run.engine in ENGINES ? (run.engine as Engine) : runEngine;

  const simTime = run?.sim_time ?? 0;
  const total = run?.duration_s ?? duration;
  const progress = total > 0 ? Math.min(1, simTime / total) : 0;

  return (
    <section className="run-controls" aria-labelledby="run-controls-title" data-testid="run-controls">
      <h2 id="run-controls-title" className="section-title">
        Run
      </h2>

      <div className="run-users">
        <label htmlFor="users-input" className="run-label">
          Users
        </label>
        <input
          id="users-slider"
          type="range"
          min={0}
          max={SLIDER_STEPS}
          step={1}
          value={usersToSlider(target)}
          onChange={(e) => setUsers(sliderToUsers(Number(e.target.value)))}
          aria-label="Users, on a logarithmic scale"
          aria-valuetext={`${formatUsers(target)} users`}
          data-testid="users-slider"
          disabled={!controllable && active}
        />
        <input
          id="users-input"
          className="run-users-input"
          type="text"
          inputMode="decimal"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onBlur={onTyped}
          onKeyDown={(e) => e.key === 'Enter' && onTyped()}
          aria-invalid={typedError !== null}
          aria-describedby={typedError ? 'users-error' : undefined}
          data-testid="users-input"
          disabled={!controllable && active}
        />
        <span className="run-scale muted small" aria-hidden="true">
          <span>0</span>
          <span>1 k</span>
          <span>1 M</span>
          <span>50 M</span>
        </span>
        {typedError && (
          <p id="users-error" className="error small" role="alert">
            {typedError}
          </p>
        )}
        {active && liveUsers !== undefined && (
          <p className="muted small" data-testid="users-now">
            Now {formatUsers(liveUsers)} users in the run{shape !== 'constant' ? ' (after the traffic shape)' : ''}.
          </p>
        )}
      </div>

      <div className="run-options">
        <label>
          <span className="run-label">Traffic</span>
          <select
            value={shape}
            onChange={(e) => onShapeChange?.(SHAPES[e.target.value].shape)}
            disabled={active || !onShapeChange}
            data-testid="run-shape"
            title={active ? 'The traffic shape applies from the next run.' : undefined}
          >
            {Object.entries(SHAPES).map(([key, s]) => (
              <option key={key} value={key}>
                {s.label}
              </option>
            ))}
            {!(shape in SHAPES) && <option value={shape}>{shape}</option>}
          </select>
        </label>
        <label>
          <span className="run-label">Speed</span>
          <select
            value={speed}
            onChange={(e) => changeSpeed(Number(e.target.value))}
            disabled={active && !controllable}
            data-testid="run-speed"
          >
            {(SPEEDS.includes(speed) ? SPEEDS : [...SPEEDS, speed]).map((s) => (
              <option key={s} value={s}>
                {speedLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="run-label">Simulated time</span>
          <select
            value={duration}
            onChange={(e) => setDuration(Number(e.target.value))}
            disabled={active}
            data-testid="run-duration"
          >
            {[...new Set([60, 120, 300, 600, 1800, 3600, durationS])].sort((a, b) => a - b).map((d) => (
              <option key={d} value={d}>
                {formatSimTime(d)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div className="run-engine">
        <label htmlFor="run-engine" className="run-label">
          Engine
        </label>
        <select
          id="run-engine"
          value={shownEngine}
          onChange={(e) => setEngine(e.target.value as Engine)}
          disabled={active}
          aria-describedby={desRefused && !active ? 'run-engine-note run-engine-reason' : 'run-engine-note'}
          title={active ? 'The engine applies from the next run.' : undefined}
          data-testid="run-engine"
        >
          {(Object.keys(ENGINES) as Engine[]).map((key) => (
            <option key={key} value={key} disabled={key === 'des' && desRefused !== null} title={key === 'des' ? (desRefused ?? undefined) : undefined}>
              {ENGINES[key].label}
            </option>
          ))}
        </select>
        <p id="run-engine-note" className="muted small" data-testid="run-engine-note">
          <strong>{ENGINES.des.name}</strong> · {DES_ADDS}.
        </p>
        {desRefused && !active && (
          <p id="run-engine-reason" className="muted small" data-testid="run-engine-reason">
            Not offered: {desRefused}.
          </p>
        )}
      </div>

      <div className="run-buttons">
        {!active && (
          <button
            type="button"
            className="primary"
            onClick={() => void start()}
            disabled={starting || !scenarioId || Boolean(blocked)}
            title={blocked ?? undefined}
            data-testid="run-start"
          >
            {starting ? 'Starting…' : 'Run'}
          </button>
        )}
        {active && state === 'paused' && (
          <button type="button" className="primary" onClick={() => sendControl('resume')} disabled={!controllable} data-testid="run-resume">
            Resume
          </button>
        )}
        {active && state !== 'paused' && (
          <button type="button" className="secondary" onClick={() => sendControl('pause')} disabled={!controllable || state === 'queued'} data-testid="run-pause">
            Pause
          </button>
        )}
        {active && (
          <button type="button" className="secondary danger" onClick={() => sendControl('stop')} disabled={!controllable} data-testid="run-stop">
            Stop
          </button>
        )}
        {ended && run && owner && (
          <button
            type="button"
            className="secondary"
            onClick={() => void runAgain(run.id)}
            disabled={starting}
            title="The same design and options as this run, from the start"
            data-testid="run-again"
          >
            Run again
          </button>
        )}
      </div>
      {blocked && !active && <p className="muted small">{blocked}</p>}

      <div className="run-status">
        <span className={`run-state state-${state ?? 'none'}`} data-testid="run-state" data-state={state ?? ''}>
          {statusText(state, starting)}
        </span>
        {run && !replaying && (
          <span className="run-clock" data-testid="run-clock">
            {formatSimTime(simTime)} / {formatSimTime(total)}
          </span>
        )}
        {ended && !replaying && (
          <button
            type="button"
            className="link-button small run-clear"
            onClick={() => {
              stopWatching();
              useLiveRun.getState().reset();
            }}
            title="Take the run's colours off the canvas and close its charts"
            data-testid="run-clear"
          >
            Clear
          </button>
        )}
        {run && !replaying && status !== 'open' && status !== 'closed' && status !== 'idle' && (
          <span className="run-socket muted small" data-testid="run-socket" data-status={status}>
            {status === 'reconnecting' ? 'reconnecting…' : status}
          </span>
        )}
      </div>
      {queue && state === 'queued' && (
        <p className="run-queue small" role="status" aria-live="polite" data-testid="run-queue" data-place={queue.place}>
          Waiting for a worker: {queue.text}
        </p>
      )}
      {run && !replaying && (
        <div className="run-progress" role="progressbar" aria-label="Simulated time" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
          <span style={{ width: `${progress * 100}%` }} />
        </div>
      )}
      {run && role === 'watcher' && !replaying && <p className="muted small">You are watching: only the design's owner controls this run.</p>}
      {error && (
        <p className="error small" role="alert" data-testid="run-error">
          {error}
        </p>
      )}
      <ControlsLog />
    </section>
  );
}

function ControlsLog() {
  const controls = useLiveRun((s) => s.controls);
  const recent = controls.slice(-4).reverse();
  if (recent.length === 0) return null;
  return (
    <ul className="run-controls-log" data-testid="run-controls-log" aria-label="Changes sent to the run">
      {recent.map((c) => (
        <ControlItem key={c.id} control={c} />
      ))}
    </ul>
  );
}

function ControlItem({ control }: { control: ControlRecord }) {
  const text =
    control.status === 'pending'
      ? 'sent…'
      : control.status === 'applied'
        ? `applied at ${formatSimTime(control.t ?? 0)}`
        : `refused: ${control.message}`;
  return (
    <li className={`control-${control.status}`} data-testid="run-control" data-status={control.status} data-action={control.action}>
      <strong>{control.label}</strong> <span className="muted">{text}</span>
    </li>
  );
}
