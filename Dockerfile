# agent2389: one agent per container. Build: docker build -t agent2389 .
# Run:   docker run -v $PWD/agent.toml:/app/config/agent.toml:ro -e MQTT_BROKER_URL=mqtt://broker:1883 agent2389
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tool-sdk ./tool-sdk
COPY scripts ./scripts
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AGENT_CONFIG=/app/config/agent.toml \
    AGENT2389_DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
COPY tool-sdk/package.json ./tool-sdk/
# prepare (the TypeScript build) already ran in the build stage: skip lifecycle scripts here.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
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
