/**
 * The failure timeline: failures at simulated times. Before a run they go into the design's
 * `failures` list, which the engine applies at their time; during a run they are kept here and
 * sent when the run reaches their time.
 */
import { useState } from 'react';
import { describeControl } from '../live/controls';
import { useLiveRun, ACTIVE_STATES } from '../store/liveRun';
import { formatSimTime } from './chartData';
import { useRunControllable } from './NodeMenu';

export interface Failure {
  action: string;
  at_s?: number;
  target?: string;
  factor?: number;
  [field: string]: unknown;
}

export interface FailureTargets {
  nodes: string[];
  /** Request links as `from->to`. */
  links: string[];
  zones: string[];
}

const ACTIONS: { action: string; label: string; on: keyof FailureTargets }[] = [
  { action: 'kill', label: 'Kill', on: 'nodes' },
  { action: 'restore', label: 'Restore', on: 'nodes' },
  { action: 'slow', label: 'Slow down', on: 'nodes' },
  { action: 'flush', label: 'Flush', on: 'nodes' },
  { action: 'cut', label: 'Cut link', on: 'links' },
  { action: 'restore-link', label: 'Restore link', on: 'links' },
  { action: 'zone_down', label: 'Zone down', on: 'zones' },
  { action: 'zone_up', label: 'Zone up', on: 'zones' },
];

/** "90", "1:30" or "1m30s" → 90 seconds; null otherwise. */
export function parseSimTime(text: string): number | null {
  const t = text.trim();
  let m = /^(\d+(?:\.\d+)?)\s*s?$/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+):([0-5]?\d)$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  m = /^(\d+)\s*m(?:in)?\s*(?:(\d+)\s*s)?$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2] ?? 0);
  return null;
}

export interface FailureTimelineProps {
  failures: Failure[];
  /** Edits the design's failures; absent when read-only. */
  onChange?: (failures: Failure[]) => void;
  targets: FailureTargets;
}

export function FailureTimeline({ failures, onChange, targets }: FailureTimelineProps) {
  const scheduled = useLiveRun((s) => s.scheduled);
  const runActive = useLiveRun((s) => !s.replay && s.run !== null && ACTIVE_STATES.has(s.run.state));
  const { ok: controllable } = useRunControllable();
  const [at, setAt] = useState('1:00');
  const [choice, setChoice] = useState('kill');
  const [target, setTarget] = useState('');
  const [factor, setFactor] = useState(5);
  const [problem, setProblem] = useState<string | null>(null);

  const spec = ACTIONS.find((a) => a.action === choice) ?? ACTIONS[0];
  const options = targets[spec.on];
  const chosen = options.includes(target) ? target : (options[0] ?? '');
  const canAdd = runActive ? controllable : Boolean(onChange);

  function add() {
    const atS = parseSimTime(at);
    if (atS === null) {
      setProblem('Time: write seconds (90) or minutes and seconds (1:30).');
      return;
    }
    if (!chosen) {
      setProblem(`Nothing to ${spec.label.toLowerCase()} in this design.`);
      return;
    }
    setProblem(null);
    const action = choice === 'restore-link' ? 'restore' : choice;
    const change: Failure = { action, target: chosen };
    if (action === 'slow') change.factor = factor;
    if (runActive) useLiveRun.getState().schedule(change, atS);
    else onChange?.([...failures, { ...change, at_s: atS }].sort((a, b) => (a.at_s ?? 0) - (b.at_s ?? 0)));
  }

  return (
    <section className="failure-timeline" aria-labelledby="failures-title" data-testid="failure-timeline">
      <h3 id="failures-title" className="section-title">
        Failure timeline
      </h3>
      <p className="muted small">
        {runActive
          ? 'Added now, a failure is sent when the run reaches its time. The design’s own list runs again with the next run.'
          : 'Failures here are part of the design: every run applies them at their time.'}
      </p>
      <ol className="failure-list">
        {failures.map((f, i) => (
          <li key={`d${i}`} data-testid="failure-item" data-source="design">
            <time>{formatSimTime(f.at_s ?? 0)}</time> {describeControl(f.action, f)}
            {onChange && !runActive && (
              <button
                type="button"
                className="link-button"
                aria-label={`Remove ${describeControl(f.action, f)} at ${formatSimTime(f.at_s ?? 0)}`}
                onClick={() => onChange(failures.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            )}
          </li>
        ))}
        {scheduled.map((s) => (
          <li key={s.key} data-testid="failure-item" data-source="live" data-status={s.status}>
            <time>{formatSimTime(s.at_s)}</time> {describeControl(String(s.change.action), s.change)}{' '}
            <span className="muted small">{s.status === 'sent' ? 'sent' : 'waiting'}</span>
            {s.status === 'waiting' && (
              <button type="button" className="link-button" aria-label="Cancel" onClick={() => useLiveRun.getState().unschedule(s.key)}>
                ✕
              </button>
            )}
          </li>
        ))}
        {failures.length === 0 && scheduled.length === 0 && <li className="muted small">No failures planned.</li>}
      </ol>
      <div className="failure-form">
        <input
          type="text"
          value={at}
          onChange={(e) => setAt(e.target.value)}
          aria-label="At simulated time (m:ss)"
          className="failure-at"
          data-testid="failure-at"
        />
        <select value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="Failure" data-testid="failure-action">
          {ACTIONS.map((a) => (
            <option key={a.action} value={a.action}>
              {a.label}
            </option>
          ))}
        </select>
        <select value={chosen} onChange={(e) => setTarget(e.target.value)} aria-label="Target" data-testid="failure-target">
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        {choice === 'slow' && (
          <select value={factor} onChange={(e) => setFactor(Number(e.target.value))} aria-label="Slow down by">
            {[2, 5, 10].map((f) => (
              <option key={f} value={f}>
                ×{f}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="secondary" onClick={add} disabled={!canAdd} data-testid="failure-add">
          Add
        </button>
      </div>
      {problem && (
        <p className="error small" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
