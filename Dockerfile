# shardgate as a sidecar container (examples/kubernetes/pod.yaml): the Node entrypoint, the config
# from a mounted file. Build from the repository root: docker build -t shardgate:dev .
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Production dependencies only: tsx (which runs the TypeScript sources) is one of them; Bun, Deno and
# TypeScript are devDependencies and stay out.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY src ./src

# MySQL clients (the app in the same pod) and the admin API (probes, metrics).
EXPOSE 15306 15000
USER node
# The gateway handles SIGTERM itself (graceful shutdown, exit 0) and SIGHUP (config reload).
ENTRYPOINT ["node", "--import", "tsx", "src/entry/node.ts"]
CMD ["--config", "/etc/shardgate/shardgate.yaml"]
