import net from 'node:net';
import { UserFacingError } from '../../lib/main';

/** A free TCP port on loopback (asked of the kernel, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Throws a clear message when a fixed port is already taken. */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new UserFacingError(`Port ${port} (${what}) is already in use on ${host}. Stop what uses it, or choose another port with its variable.`)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
