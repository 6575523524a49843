import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { GATEWAY_VERSION } from '../version.js';

/** Swagger UI at `/docs`, the OpenAPI document at `/docs-json`. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MCP Registry Gateway')
      .setDescription(
        'Admin REST API of the MCP Registry Gateway. MCP clients use the streamable-HTTP endpoint `/mcp` instead.',
      )
      .setVersion(GATEWAY_VERSION)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  dedupeSecurity(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/**
 * `@Authenticated()` on a controller and again on one of its routes (to add roles) lists the bearer scheme twice on
 * that route; one requirement per scheme is what the route means.
 */
function dedupeSecurity(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      const security = (operation as { security?: Record<string, string[]>[] } | undefined)?.security;
      if (!Array.isArray(security)) continue;
      const seen = new Set<string>();
      (operation as { security: Record<string, string[]>[] }).security = security.filter((requirement) => {
        const key = JSON.stringify(requirement);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
  }
}
