/** A page with only a message: a design that cannot be opened, a route that does not exist. */
import type { ReactNode } from 'react';
import { navigate } from '../router';
import { TopBar } from './TopBar';

export function MessagePage({
  title,
  error,
  testId,
  children,
}: {
  title: string;
  error?: string;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <div className="app">
      <TopBar />
      <main className="message-page">
        <h1>{title}</h1>
        {error && (
          <p className="error" role="alert" data-testid={testId}>
            {error}
          </p>
        )}
        {children ?? (
          <button type="button" className="primary" onClick={() => navigate('/')}>
            Back to the start page
          </button>
        )}
      </main>
    </div>
  );
}
