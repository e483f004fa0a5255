/** Editor chrome that is nobody's data: which view and dialog are open, and passing notices. */
import { create } from 'zustand';

export type DialogName = 'add' | 'connect' | 'help' | 'share' | null;
export type Tone = 'info' | 'error' | 'ok';

export interface Toast {
  id: number;
  message: string;
  tone: Tone;
}

export interface UiState {
  view: 'canvas' | 'table';
  dialog: DialogName;
  toasts: Toast[];
  setView: (view: UiState['view']) => void;
  open: (dialog: DialogName) => void;
  notify: (message: string, tone?: Tone) => void;
  dismiss: (id: number) => void;
}

let nextToast = 1;
const TOAST_MS = 6000;

export const useUi = create<UiState>()((set, get) => ({
  view: 'canvas',
  dialog: null,
  toasts: [],
  setView: (view) => set({ view }),
  open: (dialog) => set({ dialog }),
  notify: (message, tone = 'info') => {
    const id = nextToast++;
    // The newest notice replaces an identical one instead of stacking.
    set({ toasts: [...get().toasts.filter((t) => t.message !== message).slice(-2), { id, message, tone }] });
    setTimeout(() => get().dismiss(id), TOAST_MS);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
