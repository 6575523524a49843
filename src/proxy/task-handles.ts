import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import type { JsonRpcMessage } from '../common/jsonrpc.js';
import { UpstreamSecrets } from '../registry/index.js';

const PURPOSE = 'proxy-task:v1';
const PREFIX = 'gwt';
/** Where a message names the task it is about (2025-11-25 and 2026-07-28 alike). */
const RELATED_TASK = 'io.modelcontextprotocol/related-task';
/** Longer task ids than this are not the upstream's to hand out through the gateway. */
const MAX_HANDLE_LENGTH = 1024;

/** One caller's task handles on one server. */
export interface CallerTasks {
  /** An upstream message with every task id replaced by this caller's handle for it (the same object if none). */
  outgoing(message: JsonRpcMessage): JsonRpcMessage;
  /** A client message with its handles turned back into the upstream's ids; undefined if one is not this caller's. */
  incoming(message: JsonRpcMessage): JsonRpcMessage | undefined;
}

/**
 * Task handles bound to the caller. Upstreams see one identity for every user (the gateway's credentials), so an
 * upstream task id would let anyone who learns it read or cancel another user's task. Clients are given
 * `gwt.<task id>.<tag>` instead, the tag binding it to tenant, user and server: any replica checks it, it is the same
 * each time the task is named (status notifications match the handle the client holds), and another caller's handle
 * is simply an unknown task.
 */
@Injectable()
export class TaskHandles {
  constructor(private readonly secrets: UpstreamSecrets) {}

  forCaller(principal: Principal, serverId: string): CallerTasks {
    return new BoundTaskHandles(this.secrets, `${principal.tenantId}\n${principal.oid}\n${serverId}\n`);
  }
}

/**
 * One caller's handles. A class rather than closures: a listening stream holds it for its whole life, and an object
 * with two fields is lighter than five closures and their context, for each of thousands of idle streams.
 */
class BoundTaskHandles implements CallerTasks {
  constructor(
    private readonly secrets: UpstreamSecrets,
    /** Tenant, user and server, as the tag binds them. */
    private readonly owner: string,
  ) {}

  outgoing(message: JsonRpcMessage): JsonRpcMessage {
    return mapTaskIds(message, (taskId) => this.handleOf(taskId)) ?? message;
  }

  incoming(message: JsonRpcMessage): JsonRpcMessage | undefined {
    return mapTaskIds(message, (handle) => this.taskIdOf(handle));
  }

  private handleOf(taskId: string): string {
    const tag = this.secrets.tagFor(PURPOSE, this.owner + taskId);
    return `${PREFIX}.${Buffer.from(taskId).toString('base64url')}.${tag}`;
  }

  private taskIdOf(handle: string): string | undefined {
    const [prefix, encoded, tag, extra] = handle.split('.');
    if (handle.length > MAX_HANDLE_LENGTH || prefix !== PREFIX || !encoded || !tag || extra !== undefined)
      return undefined;
    const taskId = Buffer.from(encoded, 'base64url').toString('utf8');
    return this.secrets.verifyTagFor(PURPOSE, this.owner + taskId, tag) ? taskId : undefined;
  }
}

/**
 * The message with every task id mapped: `params.taskId` (tasks/* requests, status notifications), a result's
 * `taskId`, `task.taskId` and `tasks[].taskId`, and the related-task `_meta` of either. The same object when it names
 * no task; undefined when `map` knows one of its ids not.
 */
export function mapTaskIds(
  message: JsonRpcMessage,
  map: (taskId: string) => string | undefined,
): JsonRpcMessage | undefined {
  let failed = false;
  const mapped = (taskId: unknown): unknown => {
    if (typeof taskId !== 'string') return taskId;
    const next = map(taskId);
    if (next === undefined) failed = true;
    return next;
  };
  const params = mapFields(message.params, mapped);
  const result = mapFields(message.result, mapped);
  if (failed) return undefined;
  if (params === message.params && result === message.result) return message;
  return { ...message, ...(params ? { params } : {}), ...(result ? { result } : {}) };
}

type Fields = Record<string, unknown>;

function mapFields(fields: Fields | undefined, mapped: (taskId: unknown) => unknown): Fields | undefined {
  if (!fields || typeof fields !== 'object') return fields;
  const {
    taskId,
    task,
    tasks,
    _meta: meta,
  } = fields as {
    taskId?: unknown;
    task?: Fields;
    tasks?: unknown;
    _meta?: Fields;
  };
  const related = meta?.[RELATED_TASK] as Fields | undefined;
  if (
    taskId === undefined &&
    task?.taskId === undefined &&
    !Array.isArray(tasks) &&
    related?.taskId === undefined
  )
    return fields;
  return {
    ...fields,
    ...(taskId !== undefined ? { taskId: mapped(taskId) } : {}),
    ...(task?.taskId !== undefined ? { task: { ...task, taskId: mapped(task.taskId) } } : {}),
    ...(Array.isArray(tasks)
      ? { tasks: (tasks as Fields[]).map((entry) => ({ ...entry, taskId: mapped(entry?.taskId) })) }
      : {}),
    ...(related?.taskId !== undefined
      ? { _meta: { ...meta, [RELATED_TASK]: { ...related, taskId: mapped(related.taskId) } } }
      : {}),
  };
}
