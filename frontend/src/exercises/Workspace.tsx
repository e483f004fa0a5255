/** `/x/<token>/work`: the student's own copy in the editor, with the exercise beside the canvas —
 * brief, checklist, rules (checked as the design changes), Submit, live grading and reports. */
import { useEffect, useState } from 'react';
import { EditorPage } from '../pages/EditorPage';
import { navigate } from '../router';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';
import { MessagePage } from '../ui/MessagePage';
import { Loading } from '../ui/Loading';
import { exercisesApi, type PublishedExercise } from './api';
import { Constraints, CriteriaChecklist, History, SubmissionResult } from './Report';
import { constraintWarnings, reportOf } from './report';
import { activeSubmission, useStudent } from './studentStore';
import { useGradingStream } from './gradingSocket';

/** Resolves once the design on screen is the one saved on the server (submit grades that one). */
export function designSaved(timeoutMs = 15000): Promise<void> {
  const problem = (save: string) =>
    save === 'conflict'
      ? 'Someone else saved this design meanwhile: resolve the conflict above the canvas first.'
      : save === 'failed'
        ? 'Your latest changes could not be saved; try again in a moment.'
        : null;
  return new Promise((resolve, reject) => {
    const check = (save: string): boolean => {
      if (save === 'saved') resolve();
      else if (problem(save)) reject(new Error(problem(save) ?? ''));
      else return false;
      return true;
    };
    if (check(useSession.getState().save)) return;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('Your design is still being saved; submit again in a moment.'));
    }, timeoutMs);
    const unsubscribe = useSession.subscribe((s) => {
      if (check(s.save)) {
        clearTimeout(timer);
        unsubscribe();
      }
    });
  });
}

export function Workspace({ token }: { token: string }) {
  const [scenarioId, setScenarioId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(true);
  const exercise = useStudent((s) => s.exercise);
  const load = useStudent((s) => s.load);

  useEffect(() => {
    let cancelled = false;
    void load(token);
    exercisesApi
      .attempt(token)
      .then((a) => !cancelled && setScenarioId(a.scenario))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [token, load]);

  if (error) {
    return (
      <MessagePage title="Your copy of this exercise could not be opened" error={error} testId="work-error">
        <button type="button" className="primary" onClick={() => navigate(`/x/${encodeURIComponent(token)}`)}>
          Back to the exercise
        </button>
      </MessagePage>
    );
  }
  if (!scenarioId || !exercise) return <Loading />;
  return (
    <div className={open ? 'x-work' : 'x-work closed'} data-testid="exercise-workspace">
      <div className="x-work-editor">
        <EditorPage key={scenarioId} id={scenarioId} />
      </div>
      {open ? (
        <ExercisePanel token={token} scenarioId={scenarioId} exercise={exercise} onHide={() => setOpen(false)} />
      ) : (
        <button type="button" className="x-panel-tab" data-testid="exercise-panel-show" onClick={() => setOpen(true)}>
          Exercise ◂
        </button>
      )}
    </div>
  );
}

function ExercisePanel({
  token,
  scenarioId,
  exercise,
  onHide,
}: {
  token: string;
  scenarioId: string;
  exercise: PublishedExercise;
  onHide: () => void;
}) {
  const { submissions, selected, submitting, refusal, submit, select, receive } = useStudent();
  const nodes = useDesign((s) => s.doc.nodes);
  const [saveError, setSaveError] = useState<string | null>(null);
  const active = activeSubmission(submissions);
  useGradingStream(active ? `/ws/submissions/${active.id}/` : null, receive);

  const warnings = constraintWarnings(nodes, exercise);
  const shown = submissions.find((s) => s.id === selected) ?? submissions[0] ?? null;
  const latestGraded = submissions.find((s) => s.state === 'graded') ?? null;

  async function onSubmit() {
    setSaveError(null);
    try {
      await designSaved();
    } catch (e) {
      setSaveError((e as Error).message);
      return;
    }
    await submit(scenarioId);
  }

  return (
    <aside className="x-panel" aria-label="Exercise" data-testid="exercise-panel">
      <header className="x-panel-head">
        <a
          href={`/x/${encodeURIComponent(token)}`}
          className="small"
          data-testid="exercise-overview-link"
          onClick={(e) => {
            e.preventDefault();
            navigate(`/x/${encodeURIComponent(token)}`);
          }}
        >
          ← Exercise
        </a>
        <button type="button" className="ghost small" data-testid="exercise-panel-hide" onClick={onHide} aria-label="Hide the exercise panel">
          Hide ▸
        </button>
      </header>
      <h2 className="x-panel-title" data-testid="exercise-title">
        {exercise.title}
      </h2>
      <button type="button" className="primary" data-testid="exercise-submit" disabled={submitting} onClick={() => void onSubmit()}>
        {submitting ? 'Submitting…' : submissions.length > 0 ? 'Submit again' : 'Submit for grading'}
      </button>
      {warnings.length > 0 && (
        <ul className="x-warnings small" data-testid="rule-warnings">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {(saveError || refusal) && (
        <div className="x-refusal" role="alert" data-testid="submit-refusal">
          <strong>Not submitted.</strong>
          <ul>
            {(saveError ? [saveError] : (refusal ?? [])).map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {shown && <SubmissionResult submission={shown} />}
      <h3 className="section-title">To pass</h3>
      <CriteriaChecklist criteria={exercise.criteria} latest={latestGraded ? reportOf(latestGraded) : null} />
      <Constraints exercise={exercise} />
      <details className="x-brief-box" open={submissions.length === 0}>
        <summary className="section-title">The brief</summary>
        {/* Rendered and sanitised by the server. */}
        <div className="brief small" data-testid="exercise-brief" dangerouslySetInnerHTML={{ __html: exercise.brief_html }} />
      </details>
      <h3 className="section-title">History</h3>
      <History submissions={submissions} selected={shown?.id ?? null} onSelect={select} />
    </aside>
  );
}
