/** Who is using the app: an anonymous visitor (drafts in their session) or a signed-in user. */
import { create } from 'zustand';
import { api, type Me } from '../api/scenarios';

export interface AccountState {
  me: Me | null;
  refresh: () => Promise<void>;
  login: (username: string, password: string) => Promise<void>;
  signup: (username: string, email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

export const useAccount = create<AccountState>()((set) => ({
  me: null,
  refresh: async () => set({ me: await api.me() }),
  login: async (username, password) => set({ me: await api.login({ username, password }) }),
  signup: async (username, email, password) =>
    set({ me: await api.signup({ username, email, password }) }),
  logout: async () => {
    await api.logout();
    set({ me: await api.me() });
  },
}));
