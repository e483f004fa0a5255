/** Per-node and per-link problems and SPOF markers, computed once per engine answer. */
import type { Analysis, Problems } from '../api/scenarios';
import { problemsByPlace, useSession, type PlaceProblems } from '../store/session';

const cache = new WeakMap<Problems, ReturnType<typeof problemsByPlace>>();

export function placesOf(problems: Problems) {
  let hit = cache.get(problems);
  if (!hit) {
    hit = problemsByPlace(problems);
    cache.set(problems, hit);
  }
  return hit;
}

const NONE: PlaceProblems = { errors: [], warnings: [] };

export function useNodeProblems(id: string): PlaceProblems {
  return useSession((s) => placesOf(s.problems).nodes.get(id) ?? NONE);
}

export function useEdgeProblems(id: string): PlaceProblems {
  return useSession((s) => placesOf(s.problems).edges.get(id) ?? NONE);
}

export function spofClasses(analysis: Analysis | null, id: string): string[] | null {
  return analysis?.spofs.find((s) => s.node === id)?.classes ?? null;
}

export function useSpof(id: string): string[] | null {
  return useSession((s) => spofClasses(s.analysis, id));
}
