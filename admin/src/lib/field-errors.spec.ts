import { ApiError } from './api';
import { formErrors } from './field-errors';

const FIELDS = ['name', 'url', 'title', 'tags'];
const apiError = (status: number, code: string, message: string, details?: unknown) =>
  new ApiError(status, { statusCode: status, code, message, details });

describe('formErrors', () => {
  it("places each validation message on the field it starts with, in the API's words", () => {
    const sut = formErrors(
      apiError(400, 'VALIDATION_FAILED', 'Request validation failed', [
        'name must be 1 to 64 lower-case letters',
        'each tag must be 1 to 32 lower-case letters',
        'tags must contain no more than 20 elements',
        'endpoints.0.url must be a string',
        'property color should not exist',
      ]),
      FIELDS,
    );
    expect(sut.fields).toEqual({
      name: ['name must be 1 to 64 lower-case letters'],
      tags: ['tags must contain no more than 20 elements'],
      url: ['endpoints.0.url must be a string'],
    });
    // What names no known field stays visible for the form as a whole.
    expect(sut.form).toBe('each tag must be 1 to 32 lower-case letters property color should not exist');
  });

  it('puts a refused URL, a taken name and a failed discovery on their fields', () => {
    expect(
      formErrors(apiError(422, 'UPSTREAM_URL_REFUSED', 'Endpoint x is not a valid URL'), FIELDS),
    ).toEqual({
      fields: { url: ['Endpoint x is not a valid URL'] },
      form: undefined,
    });
    expect(formErrors(apiError(409, 'SERVER_NAME_TAKEN', 'taken'), FIELDS).fields).toEqual({
      name: ['taken'],
    });
    expect(
      formErrors(apiError(422, 'INVALID_SERVER', 'A server needs url or endpoints'), FIELDS).fields,
    ).toEqual({
      url: ['A server needs url or endpoints'],
    });
  });

  it('shows anything else for the whole form', () => {
    expect(formErrors(apiError(403, 'INSUFFICIENT_ROLE', 'Requires admin'), FIELDS)).toEqual({
      fields: {},
      form: 'Requires admin',
    });
    expect(formErrors(new Error('offline'), FIELDS)).toEqual({ fields: {}, form: 'offline' });
  });
});
