/**
 * A student's side of one exercise: the exercise as published, their submissions (history),
 * the one shown, and the last refusal, in plain words. Grading progress arrives through
 * `receive`, from the submission's WebSocket.
 */
import { create } from 'zustand';
import { ApiError } from '../api/client';
import { exercisesApi, type PublishedExercise } from './api';
import { isFinished, refusalReasons, upsertSubmission, type Submission } from './report';

export interface StudentState {
  token: string | null;
  exercise: PublishedExercise | null;
  submissions: Submission[];
  /** The submission whose result is shown; the newest by default. */
  selected: string | null;
  submitting: boolean;
  /** Why the last submit was refused, one plain sentence each. */
  refusal: string[] | null;
  error: string | null;
  load: (token: string) => Promise<void>;
  submit: (scenarioId: string) => Promise<Submission | null>;
  receive: (submission: Submission) => void;
  select: (id: string) => void;
}

export type StudentApi = Pick<typeof exercisesApi, 'published' | 'mySubmissions' | 'submit'>;

export function createStudentStore(api: StudentApi = exercisesApi) {
  return create<StudentState>()((set, get) => ({
    token: null,
    exercise: null,
    submissions: [],
    selected: null,
    submitting: false,
    refusal: null,
    error: null,

    load: async (token) => {
      set({ token, exercise: null, submissions: [], selected: null, refusal: null, error: null });
      try {
        const exercise = await api.published(token);
        set({ exercise });
      } catch (e) {
        set({ error: (e as Error).message });
        return;
      }
      try {
        const submissions = await api.mySubmissions(token);
        set({ submissions, selected: submissions[0]?.id ?? null });
      } catch (e) {
        // Not logged in: the brief is still worth reading; the history needs an account.
        if (!(e instanceof ApiError && e.status === 401)) set({ error: (e as Error).message });
      }
    },

    submit: async (scenarioId) => {
      const token = get().token;
      if (!token) return null;
      set({ submitting: true, refusal: null });
      try {
        const submission = await api.submit(token, scenarioId);
        set((s) => ({ submissions: upsertSubmission(s.submissions, submission), selected: submission.id }));
        return submission;
      } catch (e) {
        const reasons =
          e instanceof ApiError ? refusalReasons(e.body, e.message) : [(e as Error).message];
        set({ refusal: reasons });
        return null;
      } finally {
        set({ submitting: false });
      }
    },

    receive: (submission) =>
      set((s) => ({ submissions: upsertSubmission(s.submissions, submission) })),

    select: (id) => set({ selected: id }),
  }));
}

export const useStudent = createStudentStore();

/** The submission to follow live: the newest one still being graded. */
export function activeSubmission(submissions: Submission[]): Submission | null {
  const newest = submissions[0];
  return newest && !isFinished(newest) ? newest : null;
}
