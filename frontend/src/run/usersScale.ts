/**
 * The users control's logarithmic scale: a slider position (0 … SLIDER_STEPS) to a number of
 * users (0, then 1 … MAX_USERS), rounded to two significant figures; and users as people write
 * and read them ("20k", "1.5 M").
 */

export const MAX_USERS = 50_000_000;
export const SLIDER_STEPS = 1000;

const LOG_MAX = Math.log10(MAX_USERS);

/** Rounds to two significant figures: 12,345 → 12,000; keeps 1 … 99 exact. */
export function roundUsers(users: number): number {
  if (!Number.isFinite(users) || users <= 0) return 0;
  if (users < 100) return Math.round(users);
  const magnitude = 10 ** (Math.floor(Math.log10(users)) - 1);
  return Math.round(users / magnitude) * magnitude;
}

/** Slider position to users: position 0 is nobody; the rest spreads 1 … MAX_USERS evenly in log. */
export function sliderToUsers(position: number): number {
  if (position <= 0) return 0;
  const p = Math.min(position, SLIDER_STEPS) / SLIDER_STEPS;
  return Math.min(MAX_USERS, roundUsers(10 ** (p * LOG_MAX)));
}

export function usersToSlider(users: number): number {
  if (!Number.isFinite(users) || users < 1) return 0;
  const p = Math.log10(Math.min(users, MAX_USERS)) / LOG_MAX;
  return Math.max(1, Math.round(p * SLIDER_STEPS));
}

function trim(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
}

/** 950 → "950", 12_000 → "12 k", 1_500_000 → "1.5 M". */
export function formatUsers(users: number): string {
  if (!Number.isFinite(users)) return '—';
  const abs = Math.abs(users);
  if (abs >= 1e9) return `${trim(users / 1e9)} G`;
  if (abs >= 1e6) return `${trim(users / 1e6)} M`;
  if (abs >= 1e3) return `${trim(users / 1e3)} k`;
  return trim(users);
}

/**
 * Reads what a person typed: "20000", "20,000", "20 000", "20k", "1.5M", "2e6". Null when it is
 * not a number of users in 0 … MAX_USERS.
 */
export function parseUsers(text: string): number | null {
  const cleaned = text.trim().replace(/[,_\s]/g, '').toLowerCase();
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/.exec(cleaned);
  if (!match) return null;
  const factor = match[2] === 'k' ? 1e3 : match[2] === 'm' ? 1e6 : 1;
  const users = Math.round(Number(match[1]) * factor);
  if (!Number.isFinite(users) || users < 0 || users > MAX_USERS) return null;
  return users;
}
