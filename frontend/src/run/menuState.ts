/** Which run menu is open on the canvas (a node's or a link's) and where; nobody's data. */
import { create } from 'zustand';

export type RunMenu =
  | { kind: 'node'; id: string; x: number; y: number }
  | { kind: 'edge'; from: string; to: string; x: number; y: number };

export const useRunMenu = create<{ menu: RunMenu | null }>()(() => ({ menu: null }));

export function openNodeMenu(id: string, x: number, y: number): void {
  useRunMenu.setState({ menu: { kind: 'node', id, x, y } });
}

export function openEdgeMenu(from: string, to: string, x: number, y: number): void {
  useRunMenu.setState({ menu: { kind: 'edge', from, to, x, y } });
}

export function closeRunMenu(): void {
  useRunMenu.setState({ menu: null });
}
