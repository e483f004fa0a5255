/** A submission's grading, shown to students and authors alike: progress, report and history. */
import type { PublishedExercise } from './api';
import {
  isFinished,
  measuredText,
  progressText,
  reportOf,
  scoreText,
  sentence,
  type Report,
  type Submission,
} from './report';

export const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function GradingProgress({ submission }: { submission: Submission }) {
  const total = Math.max(1, submission.units_total);
  const done = submission.state === 'graded' ? total : submission.units_done;
  return (
    <div className="x-progress" data-testid="grading-progress" data-state={submission.state}>
      <span data-testid="grading-state">{progressText(submission)}</span>
      {!isFinished(submission) && (
        <progress max={total} value={done} aria-label="Grading progress" />
      )}
    </div>
  );
}

export function ReportView({ report }: { report: Report }) {
  return (
    <section className="x-report" data-testid="report" data-passed={report.passed ? 'true' : 'false'}>
      <p className="x-score">
        Score <strong data-testid="report-score">{scoreText(report.score)}</strong>{' '}
        <span className={report.passed ? 'tag tag-pass' : 'tag tag-fail'} data-testid="report-verdict">
          {report.passed ? 'passed' : 'not passed yet'}
        </span>
      </p>
      <ol className="x-results">
        {report.criteria.map((r) => {
          const { measured, target } = measuredText(r);
          return (
            <li
              key={r.index}
              className={r.passed ? 'x-result pass' : 'x-result fail'}
              data-testid={`report-criterion-${r.index}`}
              data-passed={r.passed ? 'true' : 'false'}
            >
              <span className="x-mark" aria-hidden="true">
                {r.passed ? '✓' : '✗'}
              </span>
              <div>
                <strong>{r.label}</strong> <span className="muted small">(weight {r.weight})</span>
                <div className="small">
                  measured <span data-testid="report-measured">{measured}</span>, target {target}
                </div>
                <div className="small muted" data-testid="report-why">
                  {sentence(r.why)}
                </div>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export function SubmissionResult({ submission }: { submission: Submission }) {
  const report = reportOf(submission);
  return (
    <div data-testid="submission-result" data-submission={submission.id}>
      <GradingProgress submission={submission} />
      {report && <ReportView report={report} />}
    </div>
  );
}

/** The checklist: each criterion, ticked or crossed once a graded report says so. */
export function CriteriaChecklist({
  criteria,
  latest,
}: {
  criteria: PublishedExercise['criteria'];
  latest: Report | null;
}) {
  return (
    <ul className="x-checklist" data-testid="criteria">
      {criteria.map((c) => {
        const result = latest?.criteria.find((r) => r.index === c.index);
        const state = result ? (result.passed ? 'pass' : 'fail') : 'open';
        return (
          <li key={c.index} className={`x-check ${state}`} data-testid={`criterion-${c.index}`} data-state={state}>
            <span className="x-mark" aria-hidden="true">
              {state === 'pass' ? '✓' : state === 'fail' ? '✗' : '○'}
            </span>
            <span>
              {c.label} <span className="muted small">· weight {c.weight}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function Constraints({ exercise }: { exercise: PublishedExercise }) {
  const limits = Object.entries(exercise.limits);
  if (!exercise.locked.length && !exercise.banned.length && !limits.length && !exercise.drills.length) return null;
  const words = (s: string) => s.replace(/_/g, ' ');
  return (
    <ul className="x-rules small" data-testid="constraints">
      {exercise.locked.length > 0 && (
        <li data-testid="rules-locked">
          <strong>Locked</strong> (keep as they are): {exercise.locked.join(', ')}
        </li>
      )}
      {exercise.banned.length > 0 && (
        <li data-testid="rules-banned">
          <strong>Banned</strong>: {exercise.banned.map(words).join(', ')}
        </li>
      )}
      {limits.length > 0 && (
        <li data-testid="rules-limits">
          <strong>At most</strong>: {limits.map(([k, n]) => `${n} ${words(k)}`).join(', ')}
        </li>
      )}
      {exercise.drills.length > 0 && (
        <li data-testid="rules-drills">
          <strong>Failure drills</strong>: {exercise.drills.join(', ')}
        </li>
      )}
    </ul>
  );
}

export function History({
  submissions,
  selected,
  onSelect,
}: {
  submissions: Submission[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (submissions.length === 0) {
    return (
      <p className="muted small" data-testid="history-empty">
        No submissions yet.
      </p>
    );
  }
  return (
    <ol className="x-history" data-testid="history">
      {submissions.map((s, i) => (
        <li key={s.id}>
          <button
            type="button"
            className={s.id === selected ? 'x-history-row selected' : 'x-history-row'}
            data-testid="history-row"
            data-state={s.state}
            aria-pressed={s.id === selected}
            onClick={() => onSelect(s.id)}
          >
            <span>#{submissions.length - i}</span>
            <span className="muted small">{when.format(new Date(s.created_at))}</span>
            <span data-testid="history-score">{s.state === 'graded' ? scoreText(s.score) : s.state}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
