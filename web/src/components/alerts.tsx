// Plain-language messages: errors from the API (problem+json) and confirmations.
import type { ReactNode } from 'react';
import { ApiError } from '../api.js';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    // Only an ended session says so; a wrong password (also 401) says what it is.
    if (error.status === 401 && error.code === 'unauthenticated') return 'Your session has ended. Sign in again.';
    const fields = error.fields.filter((f) => f.message && f.message !== error.detail).map((f) => `${f.field ? `${f.field.replace(/^body\//, '')}: ` : ''}${f.message}`);
    return [error.detail || error.title, ...fields].join(' ');
  }
  return 'Something went wrong. Check your connection and try again.';
}

export function ErrorAlert({ error, heading = 'That did not work' }: { error: unknown; heading?: string }) {
  if (!error) return null;
  return (
    <div className="usa-alert usa-alert--error usa-alert--slim margin-y-2" role="alert">
      <div className="usa-alert__body">
        <h2 className="usa-alert__heading font-sans-sm">{heading}</h2>
        <p className="usa-alert__text">{describeError(error)}</p>
      </div>
    </div>
  );
}

export function SuccessAlert({ children }: { children: ReactNode }) {
  return (
    <div className="usa-alert usa-alert--success usa-alert--slim margin-y-2" role="status">
      <div className="usa-alert__body">
        <p className="usa-alert__text">{children}</p>
      </div>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="text-base" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function WarningAlert({ children }: { children: ReactNode }) {
  return (
    <div className="usa-alert usa-alert--warning usa-alert--slim margin-y-2" role="status">
      <div className="usa-alert__body">
        <p className="usa-alert__text">{children}</p>
      </div>
    </div>
  );
}
