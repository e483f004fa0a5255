/** A page still on its way. */
import { TopBar } from './TopBar';

export function Loading() {
  return (
    <div className="app">
      <TopBar />
      <main className="message-page muted" aria-busy="true">
        Loading…
      </main>
    </div>
  );
}
