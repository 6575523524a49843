import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHttpController } from '@rekog/mcp-nest';

/**
 * `POST|GET|DELETE /mcp`: the gateway's MCP endpoint (streamable HTTP), mounted through Nest so that the HTTP
 * pipeline (body limit, correlation id, logging, metrics and, later, auth and throttling) applies to it.
 * It speaks JSON-RPC, not REST, so it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController extends StreamableHttpController {}
