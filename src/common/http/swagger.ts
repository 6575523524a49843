import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { GATEWAY_VERSION } from '../../version.js';

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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
