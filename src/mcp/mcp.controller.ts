import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHttpController } from '@rekog/mcp-nest';
import { AuditedElsewhere } from '../common/decorators/audit.decorators.js';
import { ThrottleAs } from '../common/decorators/rate-limit.decorators.js';

/**
 * `POST|GET|DELETE /mcp`: the gateway's MCP endpoint (streamable HTTP), mounted through Nest so that the HTTP
 * pipeline (body limit, correlation id, logging, metrics and, later, auth and throttling) applies to it.
 * It speaks JSON-RPC, not REST, so it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@AuditedElsewhere()
// Counted per JSON-RPC message and per tool here: global guards never run in the tools' rpc context.
@ThrottleAs('jsonrpc')
@Controller('mcp')
export class McpController extends StreamableHttpController {}
