# The production shape: the compiled app on a maintained Node LTS image.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY migrations ./migrations
COPY scripts ./scripts
# The chart configuration the page and the PDF share (report-charts.js and what it imports) is compiled
# along with the server.
COPY static/js ./static/js
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY static ./static
USER node
EXPOSE 3000
CMD ["node", "dist/server/main.js"]
