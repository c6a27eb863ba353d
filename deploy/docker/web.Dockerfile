# syntax=docker/dockerfile:1
# Base images are pinned by digest (the tag says which release it is); Dependabot (.github/dependabot.yml)
# proposes updates of both.
# todo-web: the Vite SPA (packages/web), built here and served by unprivileged nginx on port 8080.
# Build from the repository root:
#   docker buildx build --platform linux/amd64 -f deploy/docker/web.Dockerfile -t todo-web:dev .

# --- build: npm run build -w @todo/web writes packages/web/dist ----------------------------------
FROM node:24.21.0-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6 AS build
WORKDIR /app
ENV npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json .npmrc ./
COPY contracts/package.json contracts/package.json
COPY packages/calendar/package.json packages/calendar/package.json
COPY packages/web/package.json packages/web/package.json
# Dev dependencies included: the build needs Vite.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --workspace=@todo/web
COPY contracts/src contracts/src
COPY packages/calendar/src packages/calendar/src
COPY packages/web packages/web
RUN npm run build --workspace=@todo/web

# --- serve ---------------------------------------------------------------------------------------
FROM nginxinc/nginx-unprivileged:1.28.0-alpine@sha256:c97ff0bf7cbae369953c6da1232ec14ad9f971d66360c5698db0856a4cd657a0
COPY deploy/docker/nginx/default.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/packages/web/dist /usr/share/nginx/html
USER 101:101
EXPOSE 8080
# No HEALTHCHECK: Kubernetes probes /healthz. The base image's CMD runs nginx in the foreground.
