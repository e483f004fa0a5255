/** App shell: top bar, the design canvas, and the side panel. */
import { Canvas } from './canvas/Canvas';
import { PingPanel } from './live/PingPanel';

export function App() {
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">ScaleLab</span>
        <span className="subtitle">Scale from zero to millions of users</span>
      </header>
      <main className="workspace">
        <Canvas />
        <PingPanel />
      </main>
    </div>
  );
}
