/** Serves the sandbox on a real port (0 = any free one), for in-process tests and `npm run sandbox`. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type Sandbox, type SandboxOptions } from './app';
import type { SandboxState } from './state';
import { TOKEN_PATH } from './gateway';

export interface StartSandboxOptions extends SandboxOptions {
  /** Default 0: a free port, read back from `url`. */
  port?: number;
  /** Default 127.0.0.1: the sandbox has unauthenticated control routes, keep it on loopback. */
  host?: string;
}

export interface RunningSandbox {
  /** Base URL, e.g. `http://127.0.0.1:4010`: the client's CHORUS_API_URL. */
  url: string;
  /** The client's CHORUS_OAUTH_URL. */
  tokenUrl: string;
  port: number;
  state: SandboxState;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOptions } = options;
  const sandbox = createSandbox(sandboxOptions);
  const server = createServer(sandbox.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostInUrl}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    tokenUrl: `${url}${TOKEN_PATH}`,
    port: address.port,
    state: sandbox.state,
    sandbox,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        sandbox.close();
        server.close((error) => (error ? reject(error) : resolve()));
        // Requests held by injected latency and idle keep-alive sockets would delay close forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
