/** The pipeline check: a ping run from a Celery worker to this page over a WebSocket. */
import { PingPanel } from '../live/PingPanel';
import { TopBar } from '../ui/TopBar';

export function PipelinePage() {
  return (
    <div className="app">
      <TopBar />
      <main className="pipeline" data-testid="pipeline">
        <PingPanel />
      </main>
    </div>
  );
}
