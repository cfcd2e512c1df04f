# agent2389: one agent per container. Build: docker build -t agent2389 .
# Run:   docker run -v $PWD/agent.toml:/app/config/agent.toml:ro -e MQTT_BROKER_URL=mqtt://broker:1883 agent2389
FROM node:20-bookworm-slim AS build
# isolated-vm (script tools) compiles its native addon with node-gyp.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
# Install scripts run only for packages approved in package.json "allowScripts" (isolated-vm).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tool-sdk ./tool-sdk
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
# bubblewrap: sandbox = "bwrap" for subprocess tools; util-linux (prlimit, setpriv) for their limits.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap util-linux \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AGENT_CONFIG=/app/config/agent.toml \
    AGENT2389_DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
# Production dependencies, with isolated-vm already compiled in the build stage (same base image).
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY tool-sdk/schema ./tool-sdk/schema
COPY examples ./examples
# The agent's data dir (file tools are confined to it by default); mount a volume to keep it.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# SIGTERM drains in-flight tasks and publishes `unavailable` before exiting (PROTOCOL.md §5.2).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
