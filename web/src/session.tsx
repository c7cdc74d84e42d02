// Who is signed in: loaded from /api/v1/auth/me, shared through context; keeps the CSRF token current.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, setCsrfToken, type Me } from './api.js';

interface SessionValue {
  readonly me: Me | null;
  readonly loading: boolean;
  refresh(): Promise<Me | null>;
}

const SessionContext = createContext<SessionValue>({ me: null, loading: true, refresh: async () => null });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      const m = await get<Me>('/api/v1/auth/me');
      setCsrfToken(m.csrfToken);
      setMe(m);
      return m;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
      setCsrfToken(null);
      setMe(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ me, loading, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  return useContext(SessionContext);
}

export const isAdmin = (me: Me | null) => Boolean(me && (me.user.role === 'org-admin' || me.user.systemAdmin));
