import { ApiError } from '../lib/api';

/** An error as the API reported it: its message, code and correlation id (for the logs). */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <div class="alert alert-danger" role="alert">
      {error instanceof Error ? error.message : 'Something went wrong.'}
      {apiError && (
        <div class="small mt-1 text-body-secondary">
          {apiError.body.code}
          {apiError.body.correlationId ? ` · correlation id ${apiError.body.correlationId}` : ''}
        </div>
      )}
    </div>
  );
}
