/** What every instructor page has: the top bar and, for one exercise, its tabs and its link. */
import { useState, type MouseEvent, type ReactNode } from 'react';
import { navigate } from '../router';
import { AccountMenu } from '../ui/AccountMenu';
import { TopBar } from '../ui/TopBar';

export function go(path: string) {
  return (e: MouseEvent) => {
    e.preventDefault();
    navigate(path);
  };
}

export function InstructorPage({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <div className="app">
      <TopBar>
        <a href="/exercises" className="small" data-testid="exercises-link" onClick={go('/exercises')}>
          My exercises
        </a>
        <AccountMenu />
      </TopBar>
      <main className="x-page" data-testid={testId}>
        {children}
      </main>
    </div>
  );
}

export function ExerciseTabs({ id, current }: { id: string; current: 'edit' | 'dashboard' }) {
  const tab = (name: 'edit' | 'dashboard', path: string, label: string) => (
    <a
      href={path}
      className={current === name ? 'x-tab current' : 'x-tab'}
      aria-current={current === name ? 'page' : undefined}
      data-testid={`tab-${name}`}
      onClick={go(path)}
    >
      {label}
    </a>
  );
  return (
    <nav className="x-tabs" aria-label="Exercise">
      {tab('edit', `/exercises/${id}`, 'Exercise')}
      {tab('dashboard', `/exercises/${id}/submissions`, 'Submissions')}
    </nav>
  );
}

/** The link to hand out, with a copy button (falls back to selecting the text). */
export function ShareLink({ link, published }: { link: string; published: boolean }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      (document.getElementById('x-link') as HTMLInputElement | null)?.select();
    }
  }
  return (
    <div className="x-link" data-testid="exercise-link-box">
      <input id="x-link" readOnly value={link} data-testid="exercise-link" aria-label="Link to hand out" onFocus={(e) => e.target.select()} />
      <button type="button" className="secondary" data-testid="exercise-link-copy" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      {!published && <span className="muted small">Publish it for the link to open.</span>}
    </div>
  );
}
