# syntax=docker/dockerfile:1
#
# n8n 2.41.1 with this package installed as a community package, the way n8n
# installs one (Settings → Community Nodes): into ~/.n8n/nodes/node_modules,
# without its peer dependency n8n-workflow (the package then uses n8n's own
# copy, as on a real install). Every n8n process of a deployment — the main
# process, `n8n webhook` and `n8n worker` processes — runs this image.
#
# Build with the REPOSITORY ROOT as context:
#   docker build -f deploy/n8n.Dockerfile -t whatsapp-crm-n8n .
#
# Keep no volume on /home/node/.n8n: the package lives there in the image, and
# nothing else needs to persist (n8n's data is in PostgreSQL, the encryption
# key comes from N8N_ENCRYPTION_KEY). A volume would hide a newer package
# after an upgrade of the image.

ARG N8N_VERSION=2.41.1
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build and pack the package (npm pack's tarball is what npm publishes) ----
FROM ${NODE_IMAGE} AS pack
ENV PUPPETEER_SKIP_DOWNLOAD=true
WORKDIR /src
COPY package.json package-lock.json .puppeteerrc.cjs ./
COPY sidecar/package.json sidecar/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json && npx gulp build:icons \
	&& npm pack --ignore-scripts --pack-destination /out \
	&& mv /out/n8n-nodes-whatsapp-crm-*.tgz /out/n8n-nodes-whatsapp-crm.tgz

# ---- n8n with the package ----
FROM n8nio/n8n:${N8N_VERSION}
USER node
COPY --from=pack --chown=node:node /out/n8n-nodes-whatsapp-crm.tgz /tmp/n8n-nodes-whatsapp-crm.tgz
# --legacy-peer-deps: npm must not install a second n8n-workflow (n8n drops peerDependencies too).
RUN mkdir -p /home/node/.n8n/nodes \
	&& cd /home/node/.n8n/nodes \
	&& printf '{"name":"installed-nodes","private":true}\n' > package.json \
	&& npm install --omit=dev --legacy-peer-deps --ignore-scripts --no-audit --no-fund /tmp/n8n-nodes-whatsapp-crm.tgz \
	&& rm /tmp/n8n-nodes-whatsapp-crm.tgz \
	&& test -f node_modules/n8n-nodes-whatsapp-crm/dist/nodes/WhatsAppCrmTrigger/WhatsAppCrmTrigger.node.js \
	&& test ! -e node_modules/n8n-workflow

# n8n's expression engine as `npm start` sets it (scripts/lib/n8n-server.js,
# EXPRESSION_ENGINE_SETTINGS; README "n8n settings for production"): an isolate
# only for executions that evaluate an expression, a few built in advance. Under
# n8n's defaults every WhatsApp event costs over 100 ms of CPU more (bench 8).
# A value in the compose file's environment still wins.
ENV N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true \
	N8N_EXPRESSION_ENGINE_POOL_SIZE=4

# The main process and webhook processes answer on 5678; a worker's health server too
# (QUEUE_HEALTH_CHECK_PORT=5678). /healthz/readiness: the database (and Redis) reachable.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:5678/healthz/readiness').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
