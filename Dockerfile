# syntax=docker/dockerfile:1
# MCP Registry Gateway: multi-stage build on Node 24 LTS. The runtime stage holds production dependencies and the
# compiled code only, runs as the unprivileged `node` user and writes nothing outside the /data volume, so it works
# with a read-only root file system.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="mcp-registry-gateway" \
      org.opencontainers.image.description="Tenant-scoped MCP registry, OAuth-fronted reverse proxy and audit gateway" \
      org.opencontainers.image.licenses="UNLICENSED"
ENV NODE_ENV=production \
    MREG_HOST=0.0.0.0 \
    MREG_PORT=8000 \
    MREG_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -m 700 -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "bin/mcp-gateway.js", "healthcheck"]
ENTRYPOINT ["node", "--enable-source-maps", "bin/mcp-gateway.js"]
CMD ["serve"]
