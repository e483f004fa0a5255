/** Opens one of the visitor's designs in the editor, with autosave and the engine's verdicts. */
import { useEffect, useState } from 'react';
import { api } from '../api/scenarios';
import { startAutosave } from '../editor/autosave';
import { Editor } from '../editor/Editor';
import { startInsight } from '../editor/insight';
import { navigate } from '../router';
import { replaceDocument, useDesign } from '../store/design';
import { useSession } from '../store/session';
import { useUi } from '../store/ui';
import { Loading } from '../ui/Loading';
import { MessagePage } from '../ui/MessagePage';
import { useOpenDesign } from './useOpenDesign';

export function EditorPage({ id }: { id: string }) {
  const epoch = useSession((s) => s.epoch);
  const { error, loaded: ready } = useOpenDesign(
    id,
    () => api.get(id),
    (scenario) => ({
      mode: 'edit',
      scenarioId: scenario.id,
      title: scenario.title,
      revision: scenario.revision,
      problems: scenario.problems,
    }),
  );

  useEffect(() => {
    if (!ready) return;
    const autosave = startAutosave({ save: api.save });
    const stopInsight = startInsight({ validate: api.validate, analyze: api.analyze });
    const warn = (event: BeforeUnloadEvent) => {
      if (useSession.getState().save !== 'saved') event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      void autosave.flush();
      autosave.stop();
      stopInsight();
    };
  }, [ready, epoch]);

  if (error) {
    return <MessagePage title="This design could not be opened" error={error} testId="editor-error" />;
  }
  if (!ready) return <Loading />;
  return <Editor banner={<ConflictBanner />} />;
}

function ConflictBanner() {
  const save = useSession((s) => s.save);
  const theirs = useSession((s) => s.theirRevision);
  const [busy, setBusy] = useState(false);
  if (save !== 'conflict') return null;

  async function reloadTheirs() {
    const session = useSession.getState();
    if (!session.scenarioId) return;
    setBusy(true);
    try {
      const scenario = await api.get(session.scenarioId);
      replaceDocument(scenario.document);
      session.set({
        title: scenario.title,
        revision: scenario.revision,
        save: 'saved',
        saveError: null,
        theirRevision: null,
        epoch: session.epoch + 1,
      });
      useUi.getState().notify('Loaded their version. Yours is one undo (Ctrl+Z) away.', 'ok');
    } catch (e) {
      useUi.getState().notify((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  }

  async function saveCopy() {
    const session = useSession.getState();
    setBusy(true);
    try {
      const copy = await api.create(`${session.title || 'Untitled design'} (my copy)`, useDesign.getState().doc);
      useUi.getState().notify('Your version is saved as a new design.', 'ok');
      navigate(`/d/${copy.id}`);
    } catch (e) {
      useUi.getState().notify((e as Error).message, 'error');
      setBusy(false);
    }
  }

  return (
    <div className="banner banner-conflict" role="alert" data-testid="conflict-banner">
      <span>
        <strong>Someone else saved this design</strong> (revision {theirs ?? '?'}) while you were
        editing. Your changes are kept here and not saved yet.
      </span>
      <button type="button" className="secondary" disabled={busy} onClick={() => void reloadTheirs()} data-testid="conflict-reload">
        Reload theirs
      </button>
      <button type="button" className="primary" disabled={busy} onClick={() => void saveCopy()} data-testid="conflict-copy">
        Save mine as a copy
      </button>
    </div>
  );
}
