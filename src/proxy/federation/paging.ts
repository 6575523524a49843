import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { toProtocolError } from '../../common/mcp/mcp-exception.filter.js';

/**
 * One page of a federated list (`pageSize` is MREG_FEDERATION_PAGE_SIZE), with the cursor of the next one while
 * there is more. The cursor is the offset, opaque to clients: lists are in name order on every replica.
 */
export function pageOf<T>(
  all: readonly T[],
  cursor: string | undefined,
  pageSize: number,
): { items: T[]; nextCursor: { nextCursor?: string } } {
  const offset = decodeCursor(cursor);
  const items = all.slice(offset, offset + pageSize);
  const next = offset + items.length;
  return {
    items,
    nextCursor: next < all.length ? { nextCursor: Buffer.from(String(next)).toString('base64url') } : {},
  };
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) {
    throw toProtocolError(
      { statusCode: 400, code: ErrorCode.INVALID_CURSOR, message: 'Invalid cursor' },
      ProtocolErrorCode.InvalidParams,
    );
  }
  return offset;
}
