/** The exercise endpoints (instructors and students), typed from the generated OpenAPI schema. */
import { request } from '../api/client';
import type { components } from '../api/schema';
import type { ExerciseSpec } from './spec';
import type { Submission } from './report';

type Schemas = components['schemas'];
export type Exercise = Schemas['ExerciseOut'];
export type PublishedExercise = Schemas['PublishedExerciseOut'];
export type SubmissionDetail = Schemas['SubmissionDetailOut'];
export type ShippedExercise = Schemas['ShippedExerciseOut'];

const enc = encodeURIComponent;

export interface ExerciseBody {
  title: string;
  brief_md: string;
  spec: ExerciseSpec;
}

export const exercisesApi = {
  list: () => request('GET', '/api/exercises') as Promise<Exercise[]>,
  get: (id: string) => request('GET', `/api/exercises/${enc(id)}`) as Promise<Exercise>,
  create: (body: ExerciseBody) => request('POST', '/api/exercises', body) as Promise<Exercise>,
  update: (id: string, body: ExerciseBody) =>
    request('PUT', `/api/exercises/${enc(id)}`, body) as Promise<Exercise>,
  remove: (id: string) => request('DELETE', `/api/exercises/${enc(id)}`),
  publish: (id: string, published: boolean) =>
    request('POST', `/api/exercises/${enc(id)}/${published ? 'publish' : 'unpublish'}`) as Promise<Exercise>,
  submissions: (id: string) =>
    request('GET', `/api/exercises/${enc(id)}/submissions`) as Promise<Submission[]>,
  csvUrl: (id: string) => `/api/exercises/${enc(id)}/submissions.csv`,

  shipped: () => request('GET', '/api/x') as Promise<ShippedExercise[]>,
  published: (token: string) => request('GET', `/api/x/${enc(token)}`) as Promise<PublishedExercise>,
  attempt: (token: string) =>
    request('POST', `/api/x/${enc(token)}/attempt`) as Promise<Schemas['AttemptOut']>,
  submit: (token: string, scenario: string) =>
    request('POST', `/api/x/${enc(token)}/submit`, { scenario }) as Promise<Submission>,
  mySubmissions: (token: string) =>
    request('GET', `/api/x/${enc(token)}/submissions`) as Promise<Submission[]>,
  submission: (id: string) =>
    request('GET', `/api/submissions/${enc(id)}`) as Promise<SubmissionDetail>,
};
