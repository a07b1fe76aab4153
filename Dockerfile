# One image per Flowscope service, all from this file: `docker build --build-arg APP=orders .`
# (docker compose passes APP for each service). The app runs exactly as `npm start` runs it
# (deploy/launch/apps.ts): the OpenTelemetry register preloaded, then dist/apps/<APP>/src/main.js.
ARG NODE_IMAGE=node:22-bookworm-slim

# Every dependency, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# swc: apps, libs and deploy into dist/ (flow definitions copied beside the tracker's code).
FROM deps AS build
COPY .swcrc ./
COPY apps apps
COPY libs libs
COPY deploy deploy
RUN npm run build

# Production dependencies only.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    APP=${APP} \
    HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist/libs dist/libs
COPY --from=build /app/dist/apps dist/apps
COPY package.json ./
# Fail the build, not the container, when APP names no app.
RUN test -f "dist/apps/${APP}/src/main.js" || { echo "build arg APP must name an app under apps/ (got '${APP}')" >&2; exit 1; }
USER node
# exec: node becomes PID 1 and gets SIGTERM itself, so Nest's shutdown hooks drain the consumers.
CMD ["sh", "-c", "exec node --enable-source-maps --require ./dist/libs/telemetry/src/register.js \"./dist/apps/${APP}/src/main.js\""]
