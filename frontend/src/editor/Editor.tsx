/** The editor's layout: toolbar, palette, canvas (or table) with the run's charts and event log
 * under it, inspector and run panel, and the summary bar; with the dialogs, banners and notices
 * around them. */
import { ReactFlowProvider } from '@xyflow/react';
import { lazy, Suspense, type ReactNode } from 'react';
import { useDesign } from '../store/design';
import { useUi } from '../store/ui';
import { AccountMenu } from '../ui/AccountMenu';
import { Toasts } from '../ui/Toasts';
import { TopBar } from '../ui/TopBar';
import { AddDialog, ConnectDialog, HelpDialog } from './dialogs';
import { FlowCanvas } from './FlowCanvas';
import { Inspector } from './Inspector';
import { Palette } from './Palette';
import { ShareDialog } from './ShareDialog';
import { useShortcuts } from './shortcuts';
import { SummaryBar } from './SummaryBar';
import { TableView } from './TableView';
import { Toolbar } from './Toolbar';

// The run panel comes with uPlot: loaded after the canvas, so the design shows first.
const runPanel = () => import('../run/EditorRun');
const EditorRunSide = lazy(() => runPanel().then((m) => ({ default: m.EditorRunSide })));
const EditorRunDock = lazy(() => runPanel().then((m) => ({ default: m.EditorRunDock })));
const RunMenuHost = lazy(() => runPanel().then((m) => ({ default: m.RunMenuHost })));

export function Editor({ readOnly = false, banner }: { readOnly?: boolean; banner?: ReactNode }) {
  return (
    <ReactFlowProvider>
      <EditorLayout readOnly={readOnly} banner={banner} />
    </ReactFlowProvider>
  );
}

function EditorLayout({ readOnly, banner }: { readOnly: boolean; banner?: ReactNode }) {
  const view = useUi((s) => s.view);
  const dialog = useUi((s) => s.dialog);
  useShortcuts(readOnly);
  return (
    <div className="app editor" data-testid="editor" data-readonly={readOnly ? 'true' : 'false'}>
      <TopBar>
        <Toolbar readOnly={readOnly} />
        <AccountMenu />
      </TopBar>
      {banner}
      <div className={readOnly ? 'editor-body read-only' : 'editor-body'}>
        {!readOnly && <Palette />}
        <main className="stage">
          {view === 'canvas' ? (
            <section className="canvas" data-testid="canvas" aria-label="Design canvas">
              <FlowCanvas readOnly={readOnly} />
              {!readOnly && <EmptyHint />}
            </section>
          ) : (
            <TableView readOnly={readOnly} />
          )}
          <Suspense fallback={null}>
            <EditorRunDock />
          </Suspense>
        </main>
        <div className="side">
          <Inspector readOnly={readOnly} />
          <Suspense fallback={<p className="run-loading muted small">Loading the run panel…</p>}>
            <EditorRunSide readOnly={readOnly} />
          </Suspense>
        </div>
      </div>
      <SummaryBar />
      {dialog === 'add' && <AddDialog />}
      {dialog === 'connect' && <ConnectDialog />}
      {dialog === 'help' && <HelpDialog />}
      {dialog === 'share' && <ShareDialog />}
      <Suspense fallback={null}>
        <RunMenuHost />
      </Suspense>
      <Toasts />
    </div>
  );
}

function EmptyHint() {
  const empty = useDesign((s) => s.doc.nodes.length === 0);
  if (!empty) return null;
  return (
    <div className="canvas-hint" data-testid="canvas-empty-hint">
      <strong>An empty canvas.</strong> Drag <em>Users</em> from the palette to start, then a web
      server and a database, and link them left to right. Keyboard: press <kbd>A</kbd> to add,{' '}
      <kbd>C</kbd> to connect, <kbd>?</kbd> for every shortcut.
    </div>
  );
}
