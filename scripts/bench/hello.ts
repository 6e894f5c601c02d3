// The bench's ceiling for opening a link: a bare Fastify server in its own process, one route answering a
// short text, with the app's logger settings (pino at LOG_LEVEL to stdout, no pretty printing).
// Run compiled: `PORT=… node dist/scripts/bench/hello.js`.
import Fastify from 'fastify';
import { loggerOptions } from '../../server/logger.js';

const app = Fastify({ logger: loggerOptions(process.env.LOG_LEVEL ?? 'info', false) });
app.get('/hello', async () => 'Hello, world');
const close = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', close);
process.on('SIGINT', close);
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
