/**
 * Autosave: a debounced PUT of the document with the revision it is based on. A stale save
 * (409) becomes a conflict the user resolves; nothing is dropped, the local design stays.
 */
import { ApiError } from '../api/client';
import type { Scenario } from '../api/scenarios';
import type { ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';

export interface AutosaveDeps {
  save: (
    id: string,
    body: { base_revision: number; title?: string; document: ScenarioDocument },
  ) => Promise<Scenario>;
  delayMs?: number;
  retryMs?: number;
}

export interface Autosave {
  /** Save now if anything is unsaved; resolves when the design is saved or cannot be. */
  flush: () => Promise<void>;
  stop: () => void;
}

export function startAutosave(deps: AutosaveDeps): Autosave {
  const delay = deps.delayMs ?? 800;
  const retry = deps.retryMs ?? 5000;
  let savedDoc = useDesign.getState().doc;
  let savedTitle = useSession.getState().title;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const dirty = () =>
    useDesign.getState().doc !== savedDoc || useSession.getState().title !== savedTitle;

  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), ms);
  };

  const changed = () => {
    const session = useSession.getState();
    if (stopped || session.mode !== 'edit' || session.save === 'conflict') return;
    if (!dirty()) {
      // Back to what is saved (an undo, a refused live change taken back): nothing is waiting.
      if (session.save === 'pending') {
        if (timer) clearTimeout(timer);
        timer = null;
        session.set({ save: 'saved' });
      }
      return;
    }
    if (session.save !== 'saving') session.set({ save: 'pending' });
    schedule(delay);
  };

  async function saveOnce(): Promise<void> {
    const session = useSession.getState();
    if (!session.scenarioId || session.save === 'conflict' || !dirty()) return;
    const doc = useDesign.getState().doc;
    const title = session.title.trim();
    session.set({ save: 'saving' });
    try {
      const saved = await deps.save(session.scenarioId, {
        base_revision: session.revision,
        ...(title ? { title } : {}),
        document: doc,
      });
      savedDoc = doc;
      savedTitle = session.title;
      useSession.getState().set({
        revision: saved.revision,
        save: dirty() ? 'pending' : 'saved',
        saveError: null,
      });
      if (dirty() && !stopped) schedule(delay);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const body = error.body as { current_revision?: number } | null;
        useSession.getState().set({
          save: 'conflict',
          theirRevision: body?.current_revision ?? null,
          saveError: error.message,
        });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      useSession.getState().set({ save: 'failed', saveError: message });
      // A refused document (422) waits for the next edit; a lost connection retries.
      if (!(error instanceof ApiError && error.status >= 400 && error.status < 500) && !stopped) {
        schedule(retry);
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    if (running) return running.then(() => (dirty() ? flush() : undefined));
    running = saveOnce().finally(() => {
      running = null;
    });
    return running;
  }

  const unsubDesign = useDesign.subscribe((s, prev) => {
    if (s.doc !== prev.doc) changed();
  });
  const unsubSession = useSession.subscribe((s, prev) => {
    if (s.title !== prev.title) changed();
  });

  return {
    flush,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubDesign();
      unsubSession();
    },
  };
}
