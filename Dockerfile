# The gRPC server (gRPC, gRPC-Web and Connect on HTTP/2) as a container, for the Azure
# Container App in infra/modules/grpc-container-app.bicep. azd builds it remotely in the Azure
# Container Registry (azure.yaml: docker.remoteBuild), so no Docker engine is needed locally.
# It runs local/grpc/main.ts: no emulator, no Functions host; the services are the Azure ones
# its environment names (the Function App's settings, see docs/deploy.md "gRPC server").

# --- build: every dependency (TypeScript, node-gyp for hnswlib-node), compile, then drop dev deps
FROM node:22-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts but hnswlib-node's native build (package.json allowScripts says the same):
# onnxruntime-node's script downloads binaries the server does not use.
RUN npm ci --ignore-scripts --no-audit --no-fund \
      && npm rebuild hnswlib-node
COPY tsconfig.json ./
COPY functions ./functions
COPY shared ./shared
COPY local ./local
# tsconfig.json also includes test/, bench/ and tools/; they are not in the image, so tsc
# compiles the three folders the server needs (and the image carries their output only).
# build:app is that tsc alone: the web console (console/, npm run build:console) is the
# Function App's, not the gRPC server's.
RUN npm run build:app \
      && npm prune --omit=dev --no-audit --no-fund

# --- runtime: Node and the production dependencies only, as an unprivileged user
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ARBOR_GRPC_HOST=0.0.0.0 \
    ARBOR_GRPC_PORT=50051
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The image's files belong to root and are read-only to the server; DuckDB's scratch space
# (ARBOR_DUCKDB_SCRATCH_DIR, /tmp/arbor-duckdb) is the only place it writes.
USER node
EXPOSE 50051
CMD ["node", "dist/local/grpc/main.js"]
