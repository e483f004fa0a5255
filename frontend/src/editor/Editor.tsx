/** The editor's layout: toolbar, palette, canvas (or table), inspector, the place for the run
 * panel, and the summary bar; with the dialogs, banners and notices around them. */
import { ReactFlowProvider } from '@xyflow/react';
import type { ReactNode } from 'react';
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
        </main>
        <div className="side">
          <Inspector readOnly={readOnly} />
          {/* Live runs (issue 7, items 3 and 4) mount here: users control, run/pause/stop, charts. */}
          <section className="run-slot" data-testid="run-panel-slot" aria-label="Run (coming soon)">
            <h2 className="section-title">Run</h2>
            <p className="muted small">
              Live runs arrive soon: set the users, press Run, and watch throughput, latency and
              errors move while you break things.
            </p>
            <button type="button" className="secondary" disabled>
              ▶ Run
            </button>
          </section>
        </div>
      </div>
      <SummaryBar />
      {dialog === 'add' && <AddDialog />}
      {dialog === 'connect' && <ConnectDialog />}
      {dialog === 'help' && <HelpDialog />}
      {dialog === 'share' && <ShareDialog />}
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
