/** A shared design, read-only, with a Fork button that makes an editable copy (no account needed). */
import { useEffect, useState } from 'react';
import { api } from '../api/scenarios';
import { Editor } from '../editor/Editor';
import { startInsight } from '../editor/insight';
import { navigate } from '../router';
import { useSession } from '../store/session';
import { useUi } from '../store/ui';
import { MessagePage } from '../ui/MessagePage';
import { useOpenDesign } from './useOpenDesign';
import { Loading } from '../ui/Loading';

export function SharedPage({ token }: { token: string }) {
  const { error, loaded } = useOpenDesign(
    token,
    () => api.shared(token),
    (shared) => ({
      mode: 'shared',
      shareToken: token,
      title: shared.title,
      revision: shared.revision,
      owner: shared.owner,
      problems: shared.problems,
    }),
  );

  useEffect(() => {
    if (!loaded) return;
    return startInsight({ validate: api.validate, analyze: api.analyze });
  }, [loaded]);

  if (error) {
    return <MessagePage title="This link does not open a design" error={error} testId="shared-error" />;
  }
  if (!loaded) return <Loading />;
  return <Editor readOnly banner={<SharedBanner token={token} />} />;
}

function SharedBanner({ token }: { token: string }) {
  const owner = useSession((s) => s.owner);
  const [busy, setBusy] = useState(false);
  async function fork() {
    setBusy(true);
    try {
      const copy = await api.forkShared(token);
      useUi.getState().notify('Forked: this copy is yours to change.', 'ok');
      navigate(`/d/${copy.id}`);
    } catch (e) {
      useUi.getState().notify((e as Error).message, 'error');
      setBusy(false);
    }
  }
  return (
    <div className="banner banner-readonly" data-testid="readonly-banner">
      <span>
        <strong>Read-only</strong> · shared by {owner || 'someone'}. Fork it to make your own editable
        copy.
      </span>
      <button type="button" className="primary" disabled={busy} onClick={() => void fork()} data-testid="fork">
        Fork
      </button>
    </div>
  );
}
