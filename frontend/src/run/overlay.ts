/**
 * What a live frame looks like on the canvas: per node a colour from its utilisation (grey when
 * dead), its queue, errors and hit ratio in short words, and a database's role as the run has it
 * (a promoted replica is the primary); per link a thickness that follows the requests it
 * carries. Pure functions of the frame, so every node component can read them.
 */
import type { MetricFrame, NodeMetrics } from '../live/frames';

export type NodeHealth = 'idle' | 'ok' | 'busy' | 'saturated' | 'dead';
export type LiveRole = 'primary' | 'replica';

export interface NodeVisual {
  health: NodeHealth;
  alive: boolean;
  /** 0–1, or null for nodes without a capacity (users, DNS, CDN). */
  utilization: number | null;
  /** Fill colour for the node's utilisation bar and border. */
  colour: string;
  queue: number;
  errorRps: number;
  instancesAlive: number | null;
  hitRatio: number | null;
  lagMs: number | null;
  /**
   * A database's or replica's role now: the frame says it (`nodes.<id>.role`), and it changes
   * on promotion, so it is read from the frame rather than from the node's kind.
   */
  role: LiveRole | null;
  /** The role as a badge says it: "primary", "replica · lag 20 ms". */
  roleText: string | null;
  /** The run has swapped the role the design gave it (a promoted replica, a returned primary). */
  roleChanged: boolean;
  /** Short lines to draw on the node: "82 % busy", "queue 1.2 k", "errors 95/s". */
  lines: string[];
  /** One sentence for assistive technology and tooltips. */
  description: string;
}

export interface EdgeVisual {
  rps: number;
  /** Stroke width in pixels, 1.5 (idle) … 9 (the busiest link of the frame). */
  width: number;
  /** The link leads to a dead node, or was cut. */
  broken: boolean;
}

export interface Overlay {
  t: number;
  nodes: Record<string, NodeVisual>;
  edges: Record<string, EdgeVisual>;
}

export interface OverlayEdge {
  from: string;
  to: string;
  kind?: string;
}

export const DEAD_COLOUR = '#8a94a6';
export const IDLE_COLOUR = '#cfd6e0';

/**
 * Utilisation to colour: green while comfortable, amber from about 70 %, red when saturated.
 * Hue runs from 145 (green) to 0 (red), with most of the change in the upper range where
 * queues start to grow.
 */
export function utilisationColour(utilization: number): string {
  const u = Math.max(0, Math.min(1, utilization));
  const hue = u < 0.7 ? 145 - (u / 0.7) * 95 : 50 - ((u - 0.7) / 0.3) * 50;
  const lightness = u < 0.7 ? 40 : 42;
  return `hsl(${Math.round(hue)}, 68%, ${lightness}%)`;
}

export function healthOf(node: NodeMetrics): NodeHealth {
  if (!node.alive) return 'dead';
  const u = node.utilization ?? 0;
  if (u >= 0.95 || (node.queue_length ?? 0) > 1) return 'saturated';
  if (u >= 0.7) return 'busy';
  if ((node.offered_rps ?? 0) <= 0) return 'idle';
  return 'ok';
}

/** 1234 → "1.2 k", 0.42 → "0.42", 12 → "12". */
export function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)} M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)} k`;
  if (abs >= 10 || value === 0) return String(Math.round(value));
  return value.toPrecision(2);
}

const HAS_CAPACITY = new Set(['load_balancer', 'server', 'cache', 'database', 'replica']);

export function nodeVisual(id: string, node: NodeMetrics): NodeVisual {
  const health = healthOf(node);
  const hasCapacity = HAS_CAPACITY.has(node.kind);
  const utilization = hasCapacity ? Math.max(0, node.utilization ?? 0) : null;
  const queue = node.queue_length ?? 0;
  const errorRps = node.error_rps ?? Object.values(node.errors ?? {}).reduce((a, b) => a + b, 0);
  const hitRatio = typeof node.hit_ratio === 'number' ? node.hit_ratio : null;
  const role: LiveRole | null = node.role === 'primary' || node.role === 'replica' ? node.role : null;
  // A dead replica replicates nothing: no lag to show (the engine reports 0 for it).
  const lagMs =
    role === 'replica' && health !== 'dead' && typeof node.replication_lag_ms === 'number'
      ? node.replication_lag_ms
      : null;
  const roleText = role === 'replica' ? (lagMs !== null ? `replica · lag ${compact(lagMs)} ms` : 'replica') : role;
  const designed = node.kind === 'database' ? 'primary' : node.kind === 'replica' ? 'replica' : null;
  const roleChanged = role !== null && designed !== null && role !== designed;
  const colour =
    health === 'dead' ? DEAD_COLOUR : utilization === null ? IDLE_COLOUR : utilisationColour(utilization);

  const lines: string[] = [];
  if (health === 'dead') lines.push('down');
  else if (utilization !== null) lines.push(`${Math.round(utilization * 100)} % busy`);
  else if (node.offered_rps !== undefined) lines.push(`${compact(node.offered_rps)} req/s`);
  if (queue >= 1) lines.push(`queue ${compact(queue)}`);
  if (errorRps > 0.05) lines.push(`errors ${compact(errorRps)}/s`);
  if (hitRatio !== null) lines.push(`hits ${Math.round(hitRatio * 100)} %`);

  const instances = typeof node.instances_alive === 'number' ? node.instances_alive : null;
  const parts = [
    health === 'dead' ? `${id} is down` : `${id} is ${health}`,
    roleText !== null ? `${roleChanged ? 'now ' : ''}${roleText}` : '',
    ...lines.filter((l) => l !== 'down'),
    instances !== null ? `${instances} instance${instances === 1 ? '' : 's'} alive` : '',
  ];
  return {
    health,
    alive: node.alive,
    utilization,
    colour,
    queue,
    errorRps,
    instancesAlive: instances,
    hitRatio,
    lagMs,
    role,
    roleText,
    roleChanged,
    lines,
    description: parts.filter(Boolean).join(', '),
  };
}

/**
 * Requests per second on each request link. Frames count per node, not per link: a node's
 * arrivals are shared among the links into it in proportion to what each sender served (a
 * load balancer's targets each have one sender, so theirs is exact).
 */
export function edgeFlows(frame: MetricFrame, edges: OverlayEdge[]): Record<string, number> {
  const senders = new Map<string, OverlayEdge[]>();
  for (const e of edges) {
    if (e.kind === 'replication') continue;
    const list = senders.get(e.to) ?? [];
    list.push(e);
    senders.set(e.to, list);
  }
  const flows: Record<string, number> = {};
  const cut = cutLinks(frame);
  for (const [to, into] of senders) {
    const arriving = frame.nodes[to]?.offered_rps ?? 0;
    const weights = into.map((e) => (cut.has(`${e.from}->${e.to}`) ? 0 : sendingWeight(frame.nodes[e.from])));
    const total = weights.reduce((a, b) => a + b, 0);
    into.forEach((e, i) => {
      flows[`${e.from}->${e.to}`] = total > 0 ? (arriving * weights[i]) / total : 0;
    });
  }
  return flows;
}

/** Links cut in this frame, read from the error reasons ("link cut web-1->db"). */
export function cutLinks(frame: MetricFrame): Set<string> {
  const links = new Set<string>();
  for (const reason of Object.keys(frame.system.errors ?? {})) {
    const m = /^link cut (.+)$/.exec(reason);
    if (m) links.add(m[1]);
  }
  return links;
}

function sendingWeight(node: NodeMetrics | undefined): number {
  if (!node) return 0;
  return Math.max(node.served_rps ?? 0, node.offered_rps ?? 0, 0);
}

export function edgeWidth(rps: number, busiest: number): number {
  if (rps <= 0 || busiest <= 0) return 1.5;
  return Math.round((1.5 + 7.5 * Math.sqrt(rps / busiest)) * 10) / 10;
}

/**
 * The users the users node shows: the run's (`system.users`, what the engine runs with, changed
 * live or replayed) while a frame is on screen, the design's otherwise.
 */
export function usersShown(designUsers: number | undefined, liveUsers: number | undefined): number | undefined {
  return typeof liveUsers === 'number' && Number.isFinite(liveUsers) ? liveUsers : designUsers;
}

/** The whole canvas for one frame. */
export function frameOverlay(frame: MetricFrame, edges: OverlayEdge[]): Overlay {
  const nodes: Record<string, NodeVisual> = {};
  for (const [id, node] of Object.entries(frame.nodes)) nodes[id] = nodeVisual(id, node);
  const flows = edgeFlows(frame, edges);
  const busiest = Math.max(0, ...Object.values(flows));
  const cut = cutLinks(frame);
  const edgeVisuals: Record<string, EdgeVisual> = {};
  for (const e of edges) {
    const id = `${e.from}->${e.to}`;
    const rps = flows[id] ?? 0;
    const deadEnd = frame.nodes[e.to] !== undefined && !frame.nodes[e.to].alive;
    edgeVisuals[id] = { rps, width: edgeWidth(rps, busiest), broken: deadEnd || cut.has(id) };
  }
  return { t: frame.t, nodes, edges: edgeVisuals };
}
