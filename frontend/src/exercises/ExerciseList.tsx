/** `/exercises`: an instructor's exercises, each with its state, its link and its submissions. */
import { useEffect, useState } from 'react';
import { navigate } from '../router';
import { useAccount } from '../store/account';
import { exercisesApi, type Exercise } from './api';
import { go, InstructorPage } from './InstructorChrome';
import { when } from './Report';

export function ExerciseList() {
  const me = useAccount((s) => s.me);
  const [exercises, setExercises] = useState<Exercise[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    exercisesApi.list().then(setExercises, (e: Error) => setError(e.message));
  }, [me?.username]);

  async function remove(x: Exercise) {
    if (!window.confirm(`Delete “${x.title}” and every submission to it?`)) return;
    try {
      await exercisesApi.remove(x.id);
      setExercises((list) => list?.filter((e) => e.id !== x.id) ?? null);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <InstructorPage testId="exercise-list">
      <header className="x-head">
        <div>
          <h1>My exercises</h1>
          <p className="muted">Write an exercise as data, hand out one link, and watch the class's submissions graded live.</p>
        </div>
        <button type="button" className="primary big" data-testid="exercise-new" onClick={() => navigate('/exercises/new')}>
          + New exercise
        </button>
      </header>
      {error && (
        <p className="error" role="alert" data-testid="exercise-list-error">
          {error}
        </p>
      )}
      {exercises?.length === 0 && (
        <p className="muted" data-testid="no-exercises">
          No exercises yet. `python manage.py load_exercises` loads the four that come with ScaleLab.
        </p>
      )}
      {exercises && exercises.length > 0 && (
        <ul className="design-list" data-testid="exercises">
          {exercises.map((x) => (
            <li key={x.id} className="design-row" data-testid="exercise-row">
              <a href={`/exercises/${x.id}`} className="design-open" data-testid="exercise-open" onClick={go(`/exercises/${x.id}`)}>
                <span className="design-title">{x.title}</span>
                <span className={x.published ? 'tag tag-pass' : 'tag'}>{x.published ? 'published' : 'draft'}</span>
              </a>
              <span className="muted small">{when.format(new Date(x.updated_at))}</span>
              <a href={`/exercises/${x.id}/submissions`} className="small" data-testid="exercise-submissions" onClick={go(`/exercises/${x.id}/submissions`)}>
                Submissions
              </a>
              <button type="button" className="ghost small" data-testid="exercise-delete" onClick={() => void remove(x)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </InstructorPage>
  );
}
