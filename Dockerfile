# agent2389: one agent per container.
#   docker build -t agent2389 .
#   docker run -v $PWD/agent.toml:/app/config/agent.toml:ro -e MQTT_BROKER_URL=mqtt://broker:1883 -p 8080:8080 agent2389
# Stage 1 compiles TypeScript and isolated-vm's native addon; stage 2 carries only what runs.
FROM node:20-bookworm-slim AS build
# isolated-vm (script tools) compiles its native addon with node-gyp.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
# --ignore-scripts: npm ci would also run our own `prepare` (the build) before the sources below are
# copied; the one install script needed (package.json "allowScripts"), isolated-vm's addon, runs by name.
RUN npm ci --no-audit --no-fund --ignore-scripts \
    && npm rebuild isolated-vm
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tool-sdk ./tool-sdk
COPY scripts ./scripts
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund \
    && npm cache clean --force

FROM node:20-bookworm-slim
# tini: PID 1 that forwards signals and reaps zombies (tool subprocesses' orphans).
# bubblewrap: sandbox = "bwrap" for subprocess tools; util-linux (prlimit, setpriv) for their limits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini bubblewrap util-linux \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AGENT_CONFIG=/app/config/agent.toml \
    AGENT2389_DATA_DIR=/data \
    HEALTH_PORT=8080 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
# Production dependencies, with isolated-vm already compiled in the build stage (same base image).
# node_modules/@agent2389/tool-sdk links to ./tool-sdk: the agent runs the SDK's one build, tool-sdk/dist.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/tool-sdk/dist ./tool-sdk/dist
COPY tool-sdk/schema ./tool-sdk/schema
COPY examples ./examples
# The agent's data dir (file tools are confined to it by default); mount a volume to keep it.
RUN mkdir -p /data /app/config \
    && chown node:node /data
VOLUME ["/data"]
USER node
# /live, /ready, /health, /metrics (JSON, or Prometheus with Accept: text/plain).
EXPOSE 8080
# Ready = `available` published, connected to the broker, not draining (GET /ready). Six failures in
# a row (a minute) before "unhealthy" also covers startup (provider verification, broker retries).
HEALTHCHECK --interval=10s --timeout=5s --retries=6 \
    CMD ["node", "dist/src/cli/main.js", "health"]
# SIGTERM drains in-flight tasks and publishes `unavailable` before exiting (PROTOCOL.md §5.2).
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "node", "dist/src/cli/main.js"]
CMD ["run"]
