import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';

// Every screen has one h1 and a document title that names it.
export function Page({ title, children, actions, wide }: { title: string; children: ReactNode; actions?: ReactNode; wide?: boolean }) {
  useEffect(() => {
    document.title = `${title} · Parley`;
  }, [title]);
  return (
    <div className={wide ? 'page page-wide' : 'page'}>
      <div className="page-head">
        <h1>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <p>There is nothing here, or you do not have access to it.</p>
      <p>
        <Link to="/rooms">Go to my rooms</Link>
      </p>
    </Page>
  );
}
