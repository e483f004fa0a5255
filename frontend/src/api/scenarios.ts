/** The scenario, account and share-link endpoints, typed from the generated OpenAPI schema. */
import type { ScenarioDocument } from '../domain/scenario';
import { request } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];
export type ScenarioSummary = Schemas['ScenarioSummaryOut'];
export type Problems = Schemas['ProblemsOut'];
export type Issue = Schemas['IssueOut'];
export type Analysis = Schemas['AnalysisOut'];
export type ShareLink = Schemas['ShareLinkOut'];
export type Me = Schemas['MeOut'];
export type Validation = Schemas['ValidationOut'];

/** A saved scenario, with its document read as the browser's document type. */
export type Scenario = Omit<Schemas['ScenarioOut'], 'document'> & { document: ScenarioDocument };
export type SharedScenario = Omit<Schemas['SharedScenarioOut'], 'document'> & {
  document: ScenarioDocument;
};

const enc = encodeURIComponent;

export const api = {
  csrf: () => request('GET', '/api/auth/csrf'),
  me: () => request('GET', '/api/auth/me') as Promise<Me>,
  signup: (body: Schemas['SignupIn']) => request('POST', '/api/auth/signup', body) as Promise<Me>,
  login: (body: Schemas['LoginIn']) => request('POST', '/api/auth/login', body) as Promise<Me>,
  logout: () => request('POST', '/api/auth/logout', {}),
  passwordResetConfirm: (body: Schemas['PasswordResetConfirmIn']) =>
    request('POST', '/api/auth/password-reset/confirm', body),

  list: () => request('GET', '/api/scenarios') as Promise<ScenarioSummary[]>,
  create: (title: string, document: ScenarioDocument, description = '') =>
    request('POST', '/api/scenarios', { title, description, document }) as Promise<Scenario>,
  importFile: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request('POST', '/api/scenarios/import', form) as Promise<Scenario>;
  },
  get: (id: string) => request('GET', `/api/scenarios/${enc(id)}`) as Promise<Scenario>,
  save: (id: string, body: { base_revision: number; title?: string; document: ScenarioDocument }) =>
    request('PUT', `/api/scenarios/${enc(id)}`, body) as Promise<Scenario>,
  remove: (id: string) => request('DELETE', `/api/scenarios/${enc(id)}`),
  validate: (document: ScenarioDocument) =>
    request('POST', '/api/scenarios/validate', { document }) as Promise<Validation>,
  analyze: (document: ScenarioDocument) =>
    request('POST', '/api/scenarios/analyze', { document }) as Promise<Analysis>,
  fork: (id: string) => request('POST', `/api/scenarios/${enc(id)}/fork`) as Promise<Scenario>,

  shareLinks: (id: string) =>
    request('GET', `/api/scenarios/${enc(id)}/share`) as Promise<ShareLink[]>,
  share: (id: string) =>
    request('POST', `/api/scenarios/${enc(id)}/share`) as Promise<ShareLink>,
  revoke: (id: string, token: string) =>
    request('DELETE', `/api/scenarios/${enc(id)}/share/${enc(token)}`),
  shared: (token: string) =>
    request('GET', `/api/shared/${enc(token)}`) as Promise<SharedScenario>,
  forkShared: (token: string) =>
    request('POST', `/api/shared/${enc(token)}/fork`) as Promise<Scenario>,
};
