import { BadRequestException, NotFoundException } from '@nestjs/common';
import { toErrorBody } from './error-body.js';
import { GatewayException } from './gateway.exception.js';
import { ErrorCode } from './error-codes.js';

describe('toErrorBody', () => {
  it('keeps a feature code, message and details', () => {
    const error = new GatewayException(409, ErrorCode.SERVER_NAME_TAKEN, 'A server named "x" exists', {
      name: 'x',
    });
    expect(toErrorBody(error, 'c1')).toEqual({
      statusCode: 409,
      code: 'SERVER_NAME_TAKEN',
      message: 'A server named "x" exists',
      correlationId: 'c1',
      details: { name: 'x' },
    });
  });

  it('never takes a status and code from an error outside the family (a database SQLSTATE, a duck-typed error)', () => {
    const sqlState = Object.assign(new Error('duplicate key'), { status: 409, code: '23505' });
    expect(toErrorBody(sqlState, 'c3')).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
    const lookalike = Object.assign(new Error('looks coded'), { status: 503, code: 'SERVER_UNAVAILABLE' });
    expect(toErrorBody(lookalike, 'c3')).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
  });

  it('derives a code from the status of a plain HttpException', () => {
    expect(toErrorBody(new NotFoundException('gone'), 'c2')).toEqual({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'gone',
      correlationId: 'c2',
    });
  });

  it('reports validation-pipe failures as VALIDATION_FAILED with each message', () => {
    const body = toErrorBody(new BadRequestException(['name must be a string', 'url must be a URL']), 'c3');
    expect(body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: ['name must be a string', 'url must be a URL'],
    });
  });

  it.each([
    [{ type: 'entity.too.large', status: 413 }, 413, 'PAYLOAD_TOO_LARGE'],
    [{ type: 'entity.too.deep', maxDepth: 64 }, 400, 'BODY_TOO_DEEP'],
    [{ type: 'entity.parse.failed', status: 400 }, 400, 'MALFORMED_JSON'],
    [{ type: 'charset.unsupported', status: 415 }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('maps body-parser error %o to %i %s', (error, status, code) => {
    expect(toErrorBody(error, 'c4')).toMatchObject({ statusCode: status, code });
  });

  it('turns anything unexpected into a 500 that reveals nothing', () => {
    const body = toErrorBody(
      new Error('connection to 10.0.0.5 refused: password authentication failed'),
      'c5',
    );
    expect(body).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      correlationId: 'c5',
    });
  });
});
