/** What each component is, in one line, with the icon the palette and the canvas show. */
import type { NodeKind } from './scenario';

export interface KindInfo {
  title: string;
  blurb: string;
  /** SVG path data on a 24×24 grid, stroked. */
  icon: string;
}

export const KINDS: Record<NodeKind, KindInfo> = {
  users: {
    title: 'Users',
    blurb: 'The client population: where every request starts.',
    icon: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1M16 3.5a4 4 0 0 1 0 7.5M22 21v-1a6 6 0 0 0-4-5.6',
  },
  dns: {
    title: 'DNS',
    blurb: 'Resolves the domain to the entry point; optional.',
    icon: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18',
  },
  cdn: {
    title: 'CDN',
    blurb: 'Serves static files from the edge; misses go to the origin.',
    icon: 'M7 18a5 5 0 1 1 .9-9.9A6 6 0 0 1 19 10a4 4 0 0 1-1 8H7z',
  },
  load_balancer: {
    title: 'Load balancer',
    blurb: 'Spreads requests over healthy servers; checks their health.',
    icon: 'M12 3v6M12 9l-7 6M12 9l7 6M12 9v6M3 15h4v5H3zM10 15h4v5h-4zM17 15h4v5h-4z',
  },
  server: {
    title: 'Web server',
    blurb: 'Runs the application; add instances or pick a larger size.',
    icon: 'M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01',
  },
  cache: {
    title: 'Cache',
    blurb: 'Keeps hot data in memory so reads skip the database.',
    icon: 'M13 2 4 14h7l-1 8 9-12h-7l1-8z',
  },
  database: {
    title: 'Database',
    blurb: 'The primary: every write goes here, reads too without replicas.',
    icon: 'M12 8c4.4 0 8-1.3 8-3s-3.6-3-8-3-8 1.3-8 3 3.6 3 8 3zM4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3',
  },
  replica: {
    title: 'Read replica',
    blurb: "Copies the primary's data and serves reads; promoted if it dies.",
    icon: 'M10 8c3.3 0 6-1 6-2.5S13.3 3 10 3 4 4 4 5.5 6.7 8 10 8zM4 5.5v11C4 18 6.7 19 10 19M16 5.5V10M15 14l3 3-3 3M21 17h-6',
  },
};
