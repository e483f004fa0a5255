/** The bar across the top: the brand (a link home) and whatever the page puts beside it. */
import type { ReactNode } from 'react';
import { navigate } from '../router';

export function TopBar({ children }: { children?: ReactNode }) {
  return (
    <header className="topbar">
      <a
        href="/"
        className="brand"
        data-testid="home-link"
        onClick={(e) => {
          e.preventDefault();
          navigate('/');
        }}
      >
        ScaleLab
      </a>
      <div className="topbar-rest">{children}</div>
    </header>
  );
}
