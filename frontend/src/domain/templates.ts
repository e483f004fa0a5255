/**
 * The chapter's six stages, bundled from `examples/` at build time: the files in the
 * repository stay the single source, the browser only reads them.
 */
import { parseDocument, type ScenarioDocument } from './scenario';

const files = import.meta.glob<unknown>('../../../examples/*.json', {
  eager: true,
  import: 'default',
});

export interface Template {
  /** The file's name without `.json`, e.g. `03-load-balancer`. */
  slug: string;
  stage: number;
  title: string;
  description: string;
  document: ScenarioDocument;
}

export const TEMPLATES: Template[] = Object.entries(files)
  .map(([path, json]) => {
    const slug = (path.split('/').pop() ?? path).replace(/\.json$/, '');
    const document = parseDocument(json);
    const name = (document.name ?? slug).replace(/^Stage \d+:\s*/, '');
    return {
      slug,
      stage: Number.parseInt(slug, 10),
      title: name.charAt(0).toUpperCase() + name.slice(1),
      description: document.description ?? '',
      document,
    };
  })
  .filter((t) => Number.isFinite(t.stage))
  .sort((a, b) => a.stage - b.stage);
