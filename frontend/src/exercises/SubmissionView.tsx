/** `/exercises/<id>/submissions/<sid>`: a submitted design in the read-only editor, with its report. */
import { useEffect, useState } from 'react';
import { api } from '../api/scenarios';
import { parseDocument } from '../domain/scenario';
import { Editor } from '../editor/Editor';
import { startInsight } from '../editor/insight';
import { useOpenDesign } from '../pages/useOpenDesign';
import { navigate } from '../router';
import { Loading } from '../ui/Loading';
import { MessagePage } from '../ui/MessagePage';
import { exercisesApi } from './api';
import { reportOf, scoreText, type Submission } from './report';
import { ReportView, when } from './Report';

export function SubmissionView({ exerciseId, id }: { exerciseId: string; id: string }) {
  const [submission, setSubmission] = useState<Submission | null>(null);
  const { error, loaded } = useOpenDesign(
    id,
    async () => {
      const found = await exercisesApi.submission(id);
      setSubmission(found);
      return { ...found, document: parseDocument(found.document) };
    },
    (found) => ({
      mode: 'shared',
      title: `${found.student} · ${when.format(new Date(found.created_at))}`,
      owner: found.student,
    }),
  );
  useEffect(() => {
    if (!loaded) return;
    return startInsight({ validate: api.validate, analyze: api.analyze });
  }, [loaded]);

  if (error) return <MessagePage title="This submission could not be opened" error={error} testId="submission-error" />;
  if (!loaded || !submission) return <Loading />;
  return <Editor readOnly banner={<SubmissionBanner exerciseId={exerciseId} submission={submission} />} />;
}

function SubmissionBanner({ exerciseId, submission }: { exerciseId: string; submission: Submission }) {
  const report = reportOf(submission);
  const [open, setOpen] = useState(false);
  return (
    <div className="banner banner-readonly x-sub-banner" data-testid="submission-banner">
      <span>
        <strong>Read-only</strong> · submitted by <span data-testid="submission-student">{submission.student}</span> ·{' '}
        {submission.state === 'graded' ? `score ${scoreText(submission.score)}` : submission.state}
      </span>
      {report && (
        <button type="button" className="secondary" data-testid="submission-report-toggle" onClick={() => setOpen(!open)}>
          {open ? 'Hide report' : 'Report'}
        </button>
      )}
      <button type="button" className="ghost" data-testid="submission-back" onClick={() => navigate(`/exercises/${exerciseId}/submissions`)}>
        ← Submissions
      </button>
      {open && report && (
        <div className="x-sub-report">
          <ReportView report={report} />
        </div>
      )}
    </div>
  );
}
