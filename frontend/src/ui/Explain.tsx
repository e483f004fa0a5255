/**
 * A small "what is this?" button beside a word: hovering, focusing or pressing it shows a short
 * explanation and where the docs say more. The explanation is the button's description
 * (`aria-describedby`), so a screen reader reads it with the button; `explainTitle` gives the
 * word itself the same text as a plain tooltip.
 */
import { useId, useState, type SyntheticEvent } from 'react';
import { EXPLANATIONS, type Term } from '../domain/explanations';
import './explain.css';

const TIP_WIDTH = 280;
const MARGIN = 8;

type Placement = { left: number; top?: number; bottom?: number };

/**
 * Where the explanation goes: above the button, or below it near the top of the window. Fixed to
 * the window, so that a scrolling panel (the run dock) does not cut it off.
 */
function placeBeside(button: Element): Placement {
  const rect = button.getBoundingClientRect();
  const left = Math.max(MARGIN, Math.min(rect.left - 10, window.innerWidth - TIP_WIDTH - MARGIN));
  return rect.top < 220 ? { left, top: rect.bottom + 6 } : { left, bottom: window.innerHeight - rect.top + 6 };
}

export function Explain({ term }: { term: Term }) {
  const { title, text, docs } = EXPLANATIONS[term];
  const tipId = useId();
  const [at, setAt] = useState<Placement | null>(null);
  const show = (event: SyntheticEvent<HTMLButtonElement>) => setAt(placeBeside(event.currentTarget));
  const hide = () => setAt(null);
  return (
    <span className="explain">
      <button
        type="button"
        className="explain-button"
        aria-label={`What is ${title.toLowerCase()}?`}
        aria-describedby={tipId}
        aria-expanded={at !== null}
        data-testid={`explain-${term}`}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={hide}
        onClick={show}
        onKeyDown={(e) => e.key === 'Escape' && hide()}
      >
        i
      </button>
      <span
        id={tipId}
        role="tooltip"
        className={`explain-tip${at ? ' open' : ''}`}
        style={at ?? undefined}
        data-testid={`explain-${term}-tip`}
      >
        <strong>{title}.</strong> {text} <span className="explain-docs">More: {docs}.</span>
      </span>
    </span>
  );
}

/** The explanation as one line, for a `title` on the word it explains. */
export function explainTitle(term: Term): string {
  const { text, docs } = EXPLANATIONS[term];
  return `${text} More: ${docs}.`;
}
