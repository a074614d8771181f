# syntax=docker/dockerfile:1
# mooring controller image: compiled JavaScript on a Node 24 runtime, non-root, read-only root
# filesystem friendly (artifact storage lives on a volume mounted at /data).

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY crds ./crds
COPY deploy ./deploy
USER 65532:65532
ENV NODE_ENV=production
VOLUME ["/data"]
EXPOSE 9090 8080 9440
# distroless runs `node` as the entrypoint; signals reach the process directly (PID 1 handles
# SIGTERM through the manager's drain).
CMD ["dist/src/cli/bin.js", "controller", "--storage-path=/data"]
