# syntax=docker/dockerfile:1
# The in-cluster git server of the kind e2e: mooring's test git server (git http-backend behind
# a small Node server) serving the demo app, pushable over HTTP. Test-only; never shipped.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY examples/demo /seed/demo
USER node
EXPOSE 8080
CMD ["node", "dist/src/dev/git-server/serve.js", "--host", "0.0.0.0", "--port", "8080", "--seed", "/seed/demo"]
