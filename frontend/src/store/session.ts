/**
 * Where the open design lives on the server and what the engine says about it: id, revision,
 * save state (with the stale-save conflict), validation problems and the analysis. Not undoable.
 */
import { create } from 'zustand';
import type { Analysis, Issue, Problems } from '../api/scenarios';

export type SaveState = 'saved' | 'pending' | 'saving' | 'failed' | 'conflict';

export interface SessionState {
  /** `edit`: one of the visitor's designs; `shared`: a read-only shared view. */
  mode: 'edit' | 'shared';
  scenarioId: string | null;
  shareToken: string | null;
  title: string;
  revision: number;
  owner: string | null;
  save: SaveState;
  saveError: string | null;
  /** The revision someone else saved, when our save was refused as stale. */
  theirRevision: number | null;
  problems: Problems;
  analysis: Analysis | null;
  /** Why there is no analysis (the design has errors, the server failed …). */
  analysisNote: string | null;
  /** Bumped when the saved state is replaced wholesale, so autosave starts afresh from it. */
  epoch: number;
  set: (patch: Partial<SessionState>) => void;
  reset: (patch: Partial<SessionState>) => void;
}

const NO_PROBLEMS: Problems = { errors: [], warnings: [] };

const initial = {
  mode: 'edit' as const,
  scenarioId: null,
  shareToken: null,
  title: '',
  revision: 0,
  owner: null,
  save: 'saved' as SaveState,
  saveError: null,
  theirRevision: null,
  problems: NO_PROBLEMS,
  analysis: null,
  analysisNote: null,
  epoch: 0,
};

export const useSession = create<SessionState>()((set) => ({
  ...initial,
  set: (patch) => set(patch),
  reset: (patch) => set({ ...initial, ...patch }),
}));

export interface PlaceProblems {
  errors: string[];
  warnings: string[];
}

/**
 * Groups the engine's problems by the node or link they concern, read from their paths:
 * `nodes[web].params.instances` → node `web`, `edges[users->web].to` → link `users->web`.
 */
export function problemsByPlace(problems: Problems): {
  nodes: Map<string, PlaceProblems>;
  edges: Map<string, PlaceProblems>;
  design: { errors: Issue[]; warnings: Issue[] };
} {
  const nodes = new Map<string, PlaceProblems>();
  const edges = new Map<string, PlaceProblems>();
  const design = { errors: [] as Issue[], warnings: [] as Issue[] };
  const add = (issue: Issue, level: 'errors' | 'warnings') => {
    const match = /^(nodes|edges)\[([^\]]+)\](?:\.(.*))?$/.exec(issue.path);
    if (!match) {
      design[level].push(issue);
      return;
    }
    const [, where, key, rest] = match;
    const map = where === 'nodes' ? nodes : edges;
    const entry = map.get(key) ?? { errors: [], warnings: [] };
    entry[level].push(rest ? `${rest}: ${issue.message}` : issue.message);
    map.set(key, entry);
  };
  problems.errors.forEach((i) => add(i, 'errors'));
  problems.warnings.forEach((i) => add(i, 'warnings'));
  return { nodes, edges, design };
}
