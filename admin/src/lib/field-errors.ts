import { ApiError } from './api';

/** Errors of a form: per field, as the API worded them, and the rest for the form as a whole. */
export interface FormErrors {
  fields: Record<string, string[]>;
  form?: string;
}

const FIELD_BY_CODE: Record<string, string> = {
  UPSTREAM_URL_REFUSED: 'url',
  SERVER_NAME_TAKEN: 'name',
  DISCOVERY_FAILED: 'url',
};

/**
 * Places the API's errors on the form's fields. Validation failures (400 VALIDATION_FAILED) list one message per
 * rule, each starting with the property path (`name must be…`, `endpoints.0.url …`); other codes name one field.
 * The messages are the API's own, so the console says exactly what the REST API and the CLI say.
 */
export function formErrors(error: unknown, knownFields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  }
  const { code, message, details } = error.body;
  const fields: Record<string, string[]> = {};
  const unplaced: string[] = [];
  const place = (field: string | undefined, text: string) => {
    if (field && knownFields.includes(field)) (fields[field] ??= []).push(text);
    else unplaced.push(text);
  };
  if (code === 'VALIDATION_FAILED' && Array.isArray(details)) {
    for (const detail of details) {
      if (typeof detail !== 'string') continue;
      const path = /^([A-Za-z][\w]*)(?:[.[][^\s]*)?\s/.exec(detail)?.[1];
      place(path === 'endpoints' ? 'url' : path, detail);
    }
  } else if (code === 'INVALID_SERVER' && /url or endpoints/.test(message)) {
    place('url', message);
  } else {
    place(FIELD_BY_CODE[code], message);
  }
  return { fields, form: unplaced.length > 0 ? unplaced.join(' ') : undefined };
}
