/** `/exercises/<id>/submissions`: every submission with student, time, state, score and
 * per-criterion results, live from `/ws/exercises/<id>/`; CSV export; open a design read-only. */
import { useCallback, useEffect, useState } from 'react';
import { exercisesApi, type Exercise } from './api';
import { useGradingStream } from './gradingSocket';
import { ExerciseTabs, go, InstructorPage, ShareLink } from './InstructorChrome';
import { progressText, reportOf, scoreText, upsertSubmission, type Submission } from './report';
import { when } from './Report';
import { criterionLabel, type ExerciseSpec } from './spec';

export function Dashboard({ id }: { id: string }) {
  const [exercise, setExercise] = useState<Exercise | null>(null);
  const [rows, setRows] = useState<Submission[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    exercisesApi.get(id).then(setExercise, (e: Error) => setError(e.message));
    exercisesApi.submissions(id).then(
      // What the socket already sent is newer than this answer may be.
      (list) => setRows((live) => list.filter((s) => !live.some((l) => l.id === s.id)).reduce(upsertSubmission, live)),
      (e: Error) => setError(e.message),
    );
  }, [id]);
  const receive = useCallback((s: Submission) => setRows((list) => upsertSubmission(list, s)), []);
  useGradingStream(`/ws/exercises/${id}/`, receive);

  const criteria = exercise ? (exercise.spec as unknown as ExerciseSpec).criteria : [];
  const graded = rows.filter((r) => r.state === 'graded' && r.score !== null);
  const mean = graded.length ? graded.reduce((t, r) => t + (r.score ?? 0), 0) / graded.length : null;
  const students = new Set(rows.map((r) => r.student)).size;
  return (
    <InstructorPage testId="exercise-dashboard">
      <header className="x-head">
        <div>
          <p className="muted small">Submissions</p>
          <h1>{exercise?.title ?? '…'}</h1>
        </div>
        <a className="secondary button-link" href={exercisesApi.csvUrl(id)} download data-testid="dashboard-csv">
          Export CSV
        </a>
      </header>
      <ExerciseTabs id={id} current="dashboard" />
      {exercise && <ShareLink link={exercise.link} published={exercise.published} />}
      {error && (
        <p className="error" role="alert" data-testid="dashboard-error">
          {error}
        </p>
      )}
      <p className="muted small" data-testid="dashboard-summary">
        {rows.length} submissions from {students} students · {graded.length} graded
        {mean !== null && ` · mean score ${scoreText(mean)}`}
      </p>
      <div className="x-table-wrap">
        <table className="x-table" data-testid="dashboard">
          <thead>
            <tr>
              <th>Student</th>
              <th>Submitted</th>
              <th>State</th>
              <th>Score</th>
              {criteria.map((c, i) => (
                <th key={i} title={criterionLabel(c)} className="x-crit-head">
                  {i + 1}. {criterionLabel(c)}
                </th>
              ))}
              <th>Design</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={5 + criteria.length} className="muted" data-testid="dashboard-empty">
                  Nothing submitted yet. Rows appear here live as students submit.
                </td>
              </tr>
            )}
            {rows.map((r) => {
              const report = reportOf(r);
              return (
                <tr key={r.id} data-testid="dashboard-row" data-submission={r.id} data-state={r.state}>
                  <td data-testid="dashboard-student">{r.student}</td>
                  <td className="small">{when.format(new Date(r.created_at))}</td>
                  <td className="small" data-testid="dashboard-state">
                    {progressText(r)}
                  </td>
                  <td data-testid="dashboard-score">
                    <strong>{r.state === 'graded' ? scoreText(r.score) : '—'}</strong>
                  </td>
                  {criteria.map((_, i) => {
                    const result = report?.criteria.find((c) => c.index === i);
                    return (
                      <td
                        key={i}
                        className={result ? (result.passed ? 'pass' : 'fail') : ''}
                        title={result?.why}
                        data-testid={`dashboard-criterion-${i}`}
                        data-passed={result ? String(result.passed) : undefined}
                      >
                        {result ? (result.passed ? '✓ pass' : '✗ fail') : '·'}
                      </td>
                    );
                  })}
                  <td>
                    <a href={`/exercises/${id}/submissions/${r.id}`} data-testid="dashboard-open" onClick={go(`/exercises/${id}/submissions/${r.id}`)}>
                      Open
                    </a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </InstructorPage>
  );
}
