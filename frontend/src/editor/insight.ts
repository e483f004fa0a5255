/**
 * Keeps the engine's verdict on the design current: validation problems and the analysis
 * (largest number of users, bottleneck, monthly cost, single points of failure), fetched a
 * moment after the design stops changing. Late answers to older documents are ignored.
 */
import { ApiError } from '../api/client';
import type { Analysis, Validation } from '../api/scenarios';
import type { ScenarioDocument } from '../domain/scenario';
import { useDesign } from '../store/design';
import { useSession } from '../store/session';

export interface InsightDeps {
  validate: (doc: ScenarioDocument) => Promise<Validation>;
  analyze: (doc: ScenarioDocument) => Promise<Analysis>;
  delayMs?: number;
}

export function startInsight(deps: InsightDeps): () => void {
  const delay = deps.delayMs ?? 500;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest: ScenarioDocument | null = null;
  let lastKey = '';

  async function refresh(doc: ScenarioDocument) {
    latest = doc;
    const [validation, analysis] = await Promise.allSettled([
      deps.validate(doc),
      deps.analyze(doc),
    ]);
    if (latest !== doc) return;
    const session = useSession.getState();
    if (validation.status === 'fulfilled') {
      session.set({ problems: { errors: validation.value.errors, warnings: validation.value.warnings } });
    }
    if (analysis.status === 'fulfilled') {
      session.set({ analysis: analysis.value, analysisNote: null });
    } else {
      const error = analysis.reason;
      const note =
        error instanceof ApiError && error.status === 422
          ? 'Fix the errors to see what this design carries.'
          : `Analysis unavailable: ${error instanceof Error ? error.message : String(error)}`;
      session.set({ analysis: null, analysisNote: note });
    }
  }

  // Moving components changes nothing the engine looks at: ask again only for real changes.
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const doc = useDesign.getState().doc;
      const key = engineKey(doc);
      if (key === lastKey) return;
      lastKey = key;
      void refresh(doc);
    }, delay);
  };
  lastKey = engineKey(useDesign.getState().doc);
  void refresh(useDesign.getState().doc);
  const unsubscribe = useDesign.subscribe((s, prev) => {
    if (s.doc !== prev.doc) schedule();
  });
  return () => {
    if (timer) clearTimeout(timer);
    latest = null;
    unsubscribe();
  };
}

/** The document as the engine sees it: everything but where components sit on the canvas. */
export function engineKey(doc: ScenarioDocument): string {
  return JSON.stringify({ ...doc, nodes: doc.nodes.map(({ position: _position, ...rest }) => rest) });
}
