/**
 * Which engine a run may use: the discrete-event engine simulates every request, so the server
 * takes it only for designs offering at most `DES_MAX_RPS` requests a second.
 */
import type { Engine } from '../api/runs';

/** The server's RUN_DES_MAX_RPS. */
export const DES_MAX_RPS = 2000;

export const ENGINES: Record<Engine, { name: string; label: string }> = {
  flow: { name: 'Flow', label: 'Flow (any scale)' },
  des: { name: 'Discrete-event', label: 'Discrete-event (exact per request)' },
};

export const DES_ADDS = 'Every request simulated: per-request effects and confidence intervals; slower';

/** Requests a second the design offers: its users times the requests each sends a second. */
export function offeredRps(users: number, requestsPerUserPerS: number): number {
  return users * requestsPerUserPerS;
}

/** Null when the discrete-event engine may run the design; otherwise why not, in words. */
export function desRefusal(offered: number): string | null {
  if (offered <= DES_MAX_RPS) return null;
  return (
    `the discrete-event engine simulates every request: at most ${DES_MAX_RPS.toLocaleString('en-US')} ` +
    `requests/s; this design offers ${Math.round(offered).toLocaleString('en-US')}`
  );
}

/** The engine a run starts with: the chosen one, unless the design has outgrown it. */
export function engineToRun(chosen: Engine, offered: number): Engine {
  return chosen === 'des' && desRefusal(offered) !== null ? 'flow' : chosen;
}
