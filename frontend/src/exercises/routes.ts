/** The pages of exercises, under `/exercises` (instructors) and `/x/<token>` (students). */
export type ExerciseRoute =
  | { page: 'list' }
  | { page: 'edit'; id: string | null }
  | { page: 'dashboard'; id: string }
  | { page: 'submission'; id: string; submission: string }
  | { page: 'student'; token: string }
  | { page: 'work'; token: string }
  | { page: 'missing' };

export function parseExerciseRoute(pathname: string): ExerciseRoute {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  const [root, a, b, c] = parts;
  if (root === 'exercises') {
    if (parts.length === 1) return { page: 'list' };
    if (parts.length === 2) return { page: 'edit', id: a === 'new' ? null : a };
    if (parts.length === 3 && b === 'submissions') return { page: 'dashboard', id: a };
    if (parts.length === 4 && b === 'submissions') return { page: 'submission', id: a, submission: c };
  }
  if (root === 'x') {
    if (parts.length === 2) return { page: 'student', token: a };
    if (parts.length === 3 && b === 'work') return { page: 'work', token: a };
  }
  return { page: 'missing' };
}
