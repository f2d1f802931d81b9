/**
 * The HTTP server around the app (practica `server.ts`): `startWebServer` listens (port 0 = any free port, for
 * tests) and returns the address; `stopWebServer` stops taking connections and waits for requests in flight.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDeps } from './app';

export interface WebServer {
  app: App;
  server: Server;
  port: number;
  url: string;
}

let current: WebServer | undefined;

export async function startWebServer(deps: AppDeps & { port: number; host?: string }): Promise<WebServer> {
  if (current) throw new Error('The web server is already started: stop it first');
  const app = createApp(deps);
  const host = deps.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(deps.port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Keep-alive sockets must not outlive a graceful stop for long.
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  current = { app, server, port, url: `http://${host}:${port}` };
  return current;
}

export async function stopWebServer(): Promise<void> {
  const running = current;
  current = undefined;
  if (!running) return;
  await new Promise<void>((resolve, reject) => {
    running.server.close((err) => (err ? reject(err) : resolve()));
    running.server.closeIdleConnections();
  });
}
