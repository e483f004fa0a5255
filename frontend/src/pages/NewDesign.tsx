/** "New design": creates an empty draft (anonymous visitors too) and opens it. */
import { useEffect, useState } from 'react';
import { api } from '../api/scenarios';
import { emptyDocument } from '../domain/scenario';
import { navigate } from '../router';
import { MessagePage } from '../ui/MessagePage';
import { Loading } from '../ui/Loading';

let creating: ReturnType<typeof api.create> | null = null;

export function NewDesign() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // One draft per visit of /new, even when React runs this effect twice.
    creating ??= api.create('Untitled design', emptyDocument('Untitled design'));
    creating
      .then((s) => navigate(`/d/${s.id}`, { replace: true }))
      .catch((e: Error) => setError(e.message))
      .finally(() => {
        creating = null;
      });
  }, []);
  if (error) return <MessagePage title="Could not start a design" error={error} />;
  return <Loading />;
}
