/** `/x/<token>`: a published exercise as a student first sees it — the brief, the criteria,
 * the rules — with Start (their own copy of the starting design) and their past submissions. */
import { useEffect, useState } from 'react';
import { navigate } from '../router';
import { useAccount } from '../store/account';
import { AccountMenu } from '../ui/AccountMenu';
import { Loading } from '../ui/Loading';
import { MessagePage } from '../ui/MessagePage';
import { TopBar } from '../ui/TopBar';
import { exercisesApi } from './api';
import { Constraints, CriteriaChecklist, History, SubmissionResult } from './Report';
import { reportOf } from './report';
import { activeSubmission, useStudent } from './studentStore';
import { useGradingStream } from './gradingSocket';

export function StudentPage({ token }: { token: string }) {
  const { exercise, submissions, selected, error, load, select, receive } = useStudent();
  const me = useAccount((s) => s.me);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  useEffect(() => {
    void load(token);
  }, [token, load, me?.username]);

  const active = activeSubmission(submissions);
  useGradingStream(active ? `/ws/submissions/${active.id}/` : null, receive);

  if (error && !exercise) {
    return <MessagePage title="This link does not open an exercise" error={error} testId="exercise-error" />;
  }
  if (!exercise) return <Loading />;

  async function start() {
    setStarting(true);
    setStartError(null);
    try {
      await exercisesApi.attempt(token);
      navigate(`/x/${encodeURIComponent(token)}/work`);
    } catch (e) {
      setStartError((e as Error).message);
      setStarting(false);
    }
  }

  const shown = submissions.find((s) => s.id === selected) ?? submissions[0] ?? null;
  const latestGraded = submissions.find((s) => s.state === 'graded') ?? null;
  return (
    <div className="app">
      <TopBar>
        <AccountMenu />
      </TopBar>
      <main className="x-page" data-testid="student-exercise">
        <header className="x-head">
          <div>
            <p className="muted small">Exercise by {exercise.author}</p>
            <h1 data-testid="exercise-title">{exercise.title}</h1>
          </div>
          <button
            type="button"
            className="primary big"
            data-testid="exercise-start"
            disabled={starting || me?.authenticated === false}
            onClick={() => void start()}
          >
            {me?.authenticated === false ? 'Log in to start' : submissions.length > 0 ? 'Continue my design' : 'Start'}
          </button>
        </header>
        {me && !me.authenticated && (
          <p className="banner banner-readonly" data-testid="login-needed">
            <span>Log in or sign up (top right) to attempt this exercise: your design and your reports are kept in your account.</span>
          </p>
        )}
        {startError && (
          <p className="error" role="alert" data-testid="start-error">
            {startError}
          </p>
        )}
        <div className="x-columns">
          <section aria-labelledby="brief-title">
            <h2 id="brief-title">The brief</h2>
            {/* brief_html is rendered and sanitised by the server (sandbox/exercises/briefs.py). */}
            <div className="brief" data-testid="exercise-brief" dangerouslySetInnerHTML={{ __html: exercise.brief_html }} />
          </section>
          <section aria-labelledby="criteria-title">
            <h2 id="criteria-title">To pass</h2>
            <CriteriaChecklist criteria={exercise.criteria} latest={latestGraded ? reportOf(latestGraded) : null} />
            <Constraints exercise={exercise} />
            <h2>Your submissions</h2>
            <History submissions={submissions} selected={shown?.id ?? null} onSelect={select} />
            {shown && <SubmissionResult submission={shown} />}
          </section>
        </div>
      </main>
    </div>
  );
}
