/** Keyboard shortcuts of the editor, listed once for both the handler and the help panel. */
import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { redo, undo, useDesign } from '../store/design';
import { useUi } from '../store/ui';

export const SHORTCUTS: [string, string][] = [
  ['A', 'Add a component'],
  ['C', 'Connect two components'],
  ['Delete / Backspace', 'Delete the selection'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['Ctrl+C', 'Copy the selected components'],
  ['Ctrl+V', 'Paste'],
  ['Ctrl+A', 'Select everything'],
  ['Escape', 'Clear the selection'],
  ['F', 'Fit the design in view'],
  ['+ / -', 'Zoom in and out'],
  ['T', 'Switch between the canvas and the table view'],
  ['?', 'This list'],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useShortcuts(readOnly: boolean) {
  const flow = useReactFlow();
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const ui = useUi.getState();
      if (ui.dialog || typing(event.target)) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key;
      const design = useDesign.getState();
      let handled = true;
      if (mod && key.toLowerCase() === 'z' && !readOnly) {
        if (event.shiftKey) redo();
        else undo();
      } else if (mod && key.toLowerCase() === 'y' && !readOnly) redo();
      else if (mod && key.toLowerCase() === 'c') {
        const n = design.copySelection();
        if (n) ui.notify(`Copied ${n} component${n > 1 ? 's' : ''}.`);
      } else if (mod && key.toLowerCase() === 'v' && !readOnly) design.paste();
      else if (mod && key.toLowerCase() === 'a') design.selectAll();
      else if (mod || event.altKey) handled = false;
      else if ((key === 'Delete' || key === 'Backspace') && !readOnly) design.removeSelection();
      else if (key === 'Escape') design.select([], []);
      else if (key === 'a' && !readOnly) ui.open('add');
      else if (key === 'c' && !readOnly) ui.open('connect');
      else if (key === 'f') void flow.fitView({ padding: 0.2, duration: 200 });
      else if (key === '+' || key === '=') void flow.zoomIn({ duration: 150 });
      else if (key === '-') void flow.zoomOut({ duration: 150 });
      else if (key === 't') ui.setView(ui.view === 'canvas' ? 'table' : 'canvas');
      else if (key === '?') ui.open('help');
      else handled = false;
      if (handled) event.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [flow, readOnly]);
}
