import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { inTenantScope } from '../database/tenant-scope.js';
import { assertRole } from '../common/principal.js';
import { type AuditRow, eventOf } from './audit-rows.js';
import {
  type AuditEventView,
  type AuditPage,
  type AuditQueryDto,
  DEFAULT_AUDIT_PAGE,
} from './dto/audit-query.dto.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * Reads the audit trail for admins: their own tenant only (Row-Level Security as well as the filter), newest first,
 * keyset-paginated on (occurred_at, id) so pages stay stable while events keep arriving.
 */
@Injectable()
export class AuditQueryService {
  constructor(private readonly dataSource: DataSource) {}

  async query(principal: Principal, query: AuditQueryDto): Promise<AuditPage> {
    // Here as well as on the route and the tool: tool role checks can be switched off by configuration.
    assertRole(principal, 'admin');
    const tenantId = query.tenantId ?? principal.tenantId;
    if (tenantId !== principal.tenantId && !principal.superadmin) {
      throw new GatewayException(
        403,
        ErrorCode.CROSS_TENANT_DENIED,
        "Only platform administrators may read another tenant's audit trail",
      );
    }
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    const where = ['tenant_id = $1'];
    const values: unknown[] = [tenantId];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (query.from) add('occurred_at >= ?', query.from);
    if (query.to) add('occurred_at < ?', query.to);
    if (query.actor) add('actor_oid = ?', query.actor);
    if (query.action) add('action = ?', query.action);
    if (query.tool) add('tool = ?', query.tool);
    if (query.serverId) add('server_id = ?', query.serverId);
    if (query.outcome) add('outcome = ?', query.outcome);
    if (query.surface) add('surface = ?', query.surface);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      values.push(cursor.at, cursor.id);
      where.push(`(occurred_at, id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(limit + 1);
    const rows: AuditRow[] = await inTenantScope(this.dataSource, tenantId, (manager) =>
      manager.query(
        `SELECT * FROM audit_events WHERE ${where.join(' AND ')}
         ORDER BY occurred_at DESC, id DESC LIMIT $${values.length}`,
        values,
      ),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(toView),
      nextCursor: rows.length > limit && last ? encodeCursor(last.occurred_at, last.id) : null,
    };
  }
}

function toView(row: AuditRow): AuditEventView {
  const { eventId: _eventId, ...event } = eventOf(row);
  return { id: row.id, chainSeq: Number(row.chain_seq), ...event, hash: row.hash };
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !/^\d{1,19}$/.test(id ?? '')) {
    throw new GatewayException(400, ErrorCode.INVALID_CURSOR, 'The cursor is not one this API returned');
  }
  return { at: date, id: id };
}

const CSV_COLUMNS: (keyof AuditEventView)[] = [
  'occurredAt',
  'id',
  'chainSeq',
  'tenantId',
  'actorOid',
  'actorName',
  'roles',
  'clientId',
  'surface',
  'action',
  'serverId',
  'tool',
  'outcome',
  'status',
  'errorCode',
  'durationMs',
  'bytes',
  'requestId',
  'sessionHash',
  'ip',
  'userAgent',
  'params',
  'hash',
];

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function toCsv(events: readonly AuditEventView[]): string {
  const cell = (value: unknown): string => {
    let text =
      value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    CSV_COLUMNS.join(','),
    ...events.map((event) => CSV_COLUMNS.map((column) => cell(event[column])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
