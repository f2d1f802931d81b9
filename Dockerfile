# One image for the API, the worker, the Chorus sandbox and the migration job (docker-compose.yml picks the
# command). The workflow bundle is built at image build time so workers start fast.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN npx tsx scripts/bundle-workflows.ts /app/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js
USER node
CMD ["npx", "tsx", "api/main.ts"]
