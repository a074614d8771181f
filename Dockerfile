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
# V8's young generation grows to 64 MiB on the controller's allocation pattern (parsed watch
# events, apply bodies); 2 MiB semi-spaces keep it at 4 MiB. Measured in S1 (README Performance):
# peak RSS 338 -> 230 MiB at 100 apps, 408 -> 346 MiB at 500, CPU not higher. The bench runs the
# controller with this same line (bench/lib/controllers.ts reads it from here).
ENV NODE_OPTIONS=--max-semi-space-size=2
VOLUME ["/data"]
EXPOSE 9090 8080 9440
# The entrypoint is the mooring CLI itself, as Flux's images make the controller binary the
# entrypoint: a pod's `args:` are then the command and its flags (`controller --leader-elect ...`)
# and never replace the script path. Signals reach node directly (PID 1 drains on SIGTERM).
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/src/cli/bin.js"]
CMD ["controller", "--storage-path=/data"]
