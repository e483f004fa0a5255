/**
 * The run's event log in plain words, with simulated times and levels. A line about a node is a
 * button that selects that node; the log follows the newest line unless the reader scrolled up.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useLiveRun } from '../store/liveRun';
import { formatSimTime } from './chartData';

export function EventLog({ onSelectNode }: { onSelectNode?: (nodeId: string) => void }) {
  const events = useLiveRun((s) => s.events);
  const replaying = useLiveRun((s) => s.replay !== null);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  const shown = onlyProblems ? events.filter((e) => e.level !== 'info') : events;

  useLayoutEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    };
    el.addEventListener('scroll', onScroll);
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <section className="event-log" aria-labelledby="event-log-title">
      <header className="event-log-head">
        <h3 id="event-log-title" className="section-title">
          What happened
        </h3>
        <label className="small muted">
          <input
            type="checkbox"
            checked={onlyProblems}
            onChange={(e) => setOnlyProblems(e.target.checked)}
            data-testid="event-log-filter"
          />{' '}
          problems only
        </label>
      </header>
      <ol ref={list} className="event-lines" data-testid="event-log" aria-live="polite" aria-relevant="additions">
        {shown.length === 0 && (
          <li className="muted small event-empty">
            {replaying ? 'Nothing happened up to this time.' : 'Nothing yet: events appear here as the run goes.'}
          </li>
        )}
        {shown.map((e, i) => {
          const body = (
            <>
              <time className="event-time">{formatSimTime(e.t)}</time>
              <span className="event-text">{e.text}</span>
            </>
          );
          return (
            <li
              key={`${e.t}-${i}-${e.text}`}
              className={`event-line level-${e.level}`}
              data-testid="event-line"
              data-level={e.level}
              data-node={e.node ?? ''}
            >
              {e.node && onSelectNode ? (
                <button type="button" className="event-link" onClick={() => onSelectNode(e.node!)} title={`Show ${e.node} on the canvas`}>
                  {body}
                </button>
              ) : (
                <span className="event-link">{body}</span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
