/** The editor's toolbar: title, save state, undo/redo, add/connect, view, files, share, help. */
import { useReactFlow } from '@xyflow/react';
import { useEffect, useRef, type ChangeEvent } from 'react';
import { useStore } from 'zustand';
import { api } from '../api/scenarios';
import { navigate } from '../router';
import { redo, undo, useDesign } from '../store/design';
import { useSession, type SaveState } from '../store/session';
import { useUi } from '../store/ui';
import { download, exportCanvasImage } from './exportImage';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'Saved',
  pending: 'Unsaved changes',
  saving: 'Saving…',
  failed: 'Not saved',
  conflict: 'Not saved: conflict',
};

export function fileBaseName(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'design'
  );
}

export function SaveStatus() {
  const save = useSession((s) => s.save);
  const error = useSession((s) => s.saveError);
  return (
    <span className={`save-status save-${save}`} data-testid="save-status" data-state={save} title={error ?? undefined} role="status">
      {SAVE_TEXT[save]}
      {save === 'failed' && error ? `: ${error}` : ''}
    </span>
  );
}

export function Toolbar({ readOnly }: { readOnly: boolean }) {
  const title = useSession((s) => s.title);
  const setSession = useSession((s) => s.set);
  const canUndo = useStore(useDesign.temporal, (t) => t.pastStates.length > 0);
  const canRedo = useStore(useDesign.temporal, (t) => t.futureStates.length > 0);
  const view = useUi((s) => s.view);
  const { setView, open, notify } = useUi.getState();
  const { getNodes } = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);
  const fileMenu = useRef<HTMLDetailsElement>(null);

  // The File menu closes once an item is chosen, or on a click anywhere else.
  useEffect(() => {
    const close = (event: PointerEvent) => {
      const menu = fileMenu.current;
      if (menu?.open && !menu.contains(event.target as Node)) menu.open = false;
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, []);

  function exportFile() {
    const doc = { ...useDesign.getState().doc, name: title || useDesign.getState().doc.name };
    const blob = new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    download(url, `${fileBaseName(title)}.json`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async function importFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      const created = await api.importFile(file);
      notify(`Imported “${created.title}” as a new design.`, 'ok');
      navigate(`/d/${created.id}`);
    } catch (e) {
      notify(`Import refused: ${(e as Error).message}`, 'error');
    }
  }

  async function exportImage(format: 'png' | 'svg') {
    if (view !== 'canvas') setView('canvas');
    try {
      await exportCanvasImage(format, getNodes(), fileBaseName(title));
    } catch (e) {
      notify((e as Error).message, 'error');
    }
  }

  return (
    <div className="toolbar" role="toolbar" aria-label="Design tools">
      <input
        className="title-input"
        value={title}
        readOnly={readOnly}
        maxLength={200}
        aria-label="Design title"
        data-testid="design-title"
        onChange={(e) => setSession({ title: e.target.value })}
      />
      {!readOnly && <SaveStatus />}
      <span className="toolbar-gap" />
      {!readOnly && (
        <>
          <button type="button" className="tool" onClick={undo} disabled={!canUndo} data-testid="undo" aria-label="Undo" title="Undo (Ctrl+Z)">
            ↶
          </button>
          <button type="button" className="tool" onClick={redo} disabled={!canRedo} data-testid="redo" aria-label="Redo" title="Redo (Ctrl+Shift+Z)">
            ↷
          </button>
          <span className="divider" />
          <button type="button" className="tool text" onClick={() => open('add')} data-testid="add-component" title="Add a component (A)">
            Add
          </button>
          <button type="button" className="tool text" onClick={() => open('connect')} data-testid="connect-open" title="Connect two components (C)">
            Connect
          </button>
          <span className="divider" />
        </>
      )}
      <button
        type="button"
        className="tool text"
        onClick={() => setView(view === 'canvas' ? 'table' : 'canvas')}
        data-testid="view-toggle"
        aria-pressed={view === 'table'}
        title="Table view (T)"
      >
        {view === 'canvas' ? 'Table view' : 'Canvas view'}
      </button>
      <details className="menu" ref={fileMenu}>
        <summary className="tool text" data-testid="file-menu">
          File
        </summary>
        <div
          className="menu-items"
          onClick={() => {
            if (fileMenu.current) fileMenu.current.open = false;
          }}
        >
          <button type="button" onClick={exportFile} data-testid="export-file">
            Export scenario file (.json)
          </button>
          {!readOnly && (
            <button type="button" onClick={() => fileInput.current?.click()} data-testid="import-open">
              Import scenario file…
            </button>
          )}
          <button type="button" onClick={() => void exportImage('png')} data-testid="export-png">
            Export picture (PNG)
          </button>
          <button type="button" onClick={() => void exportImage('svg')} data-testid="export-svg">
            Export picture (SVG)
          </button>
        </div>
      </details>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="import-file"
        onChange={(e) => void importFile(e)}
      />
      {!readOnly && (
        <button type="button" className="secondary" onClick={() => open('share')} data-testid="share-open">
          Share
        </button>
      )}
      <button type="button" className="tool" onClick={() => open('help')} data-testid="help-open" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
        ?
      </button>
    </div>
  );
}
