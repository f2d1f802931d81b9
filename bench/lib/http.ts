/**
 * The bench's HTTP client of the API: keep-alive connections, one latency series per route pattern, and an
 * optional retry policy for the drill (network errors, 429 and 5xx are retried with the same Idempotency-Key, as
 * a well-behaved client does while the API or Temporal restarts).
 *
 * The API limits each client address to 1200 requests a minute. A real deployment has one Agrilocal backend
 * and many producers; the bench plays all of them from one machine, so it spreads its connections over several
 * loopback source addresses (127.0.0.2, 127.0.0.3, …: Linux routes the whole 127/8 to `lo`). The API process
 * stays the production one, limiter included.
 */
import http from 'node:http';
import net from 'node:net';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  ms: number;
  attempts: number;
}

/** How long the bench (without a retry policy) keeps retrying a 503 before it counts the call as failed. */
const UNAVAILABLE_RETRY_MS = 60_000;

export interface RetryPolicy {
  /** Give up (throw) after this long. */
  deadlineMs: number;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly route: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${route}: HTTP ${status} ${JSON.stringify(body).slice(0, 400)}`);
  }
}

/** Latency samples (ms) per route, and counts of answers per route and status. */
export class LatencyBook {
  readonly samples = new Map<string, number[]>();
  readonly statuses = new Map<string, Map<string, number>>();
  /** Every 500 answer, with its X-Request-Id: the drill finds the API's log line of each (a 500 is a bug). */
  readonly internalErrors: { route: string; at: string; requestId?: string; body: unknown }[] = [];
  retries = 0;

  add(route: string, status: string, ms: number, ok: boolean): void {
    if (ok) {
      let list = this.samples.get(route);
      if (!list) this.samples.set(route, (list = []));
      list.push(ms);
    }
    let counts = this.statuses.get(route);
    if (!counts) this.statuses.set(route, (counts = new Map<string, number>()));
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
}

/** Whether this machine can use 127.0.0.x source addresses (Linux yes, macOS only 127.0.0.1 by default). */
export async function usableLoopbackSources(wanted: number, port: number): Promise<string[]> {
  const sources = ['127.0.0.1'];
  const probe = (localAddress: string) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  if (wanted <= 1 || !(await probe('127.0.0.2'))) return sources;
  for (let i = 2; sources.length < wanted && i < 250; i++) sources.push(`127.0.0.${i}`);
  return sources;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** Several API processes: each call goes to the next one (a tiny client-side round-robin); a retry too. */
  baseUrls?: string[];
  token: string;
  sources: string[];
  book: LatencyBook;
  retry?: RetryPolicy;
  /** Per-attempt socket timeout. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP answer: its status, its body (JSON when it parses) and its X-Request-Id. */
interface Answer {
  status: number;
  body: unknown;
  requestId?: string;
}

export class ApiClient {
  private readonly agents: http.Agent[];
  private next = 0;
  private nextUrl = 0;
  private readonly urls: URL[];

  constructor(private readonly options: ApiClientOptions) {
    this.urls = (options.baseUrls?.length ? options.baseUrls : [options.baseUrl]).map((u) => new URL(u));
    // Idle sockets are dropped after 4 s, before the API's 5 s keep-alive timeout closes them under a request.
    this.agents = options.sources.map((localAddress) => new http.Agent({ keepAlive: true, maxSockets: 64, localAddress, timeout: 4_000 }));
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private once(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
    const agent = this.agents[this.next++ % this.agents.length];
    const url = this.urls[this.nextUrl++ % this.urls.length]!;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname.replace(/\/$/, '')}${path}`,
          method,
          agent,
          timeout: this.options.timeoutMs ?? 60_000,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            const requestId = res.headers['x-request-id'];
            resolve({ status: res.statusCode ?? 0, body: parsed, requestId: typeof requestId === 'string' ? requestId : undefined });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * One API call; `route` names its pattern for the latency book. Without a retry policy, anything but 2xx
   * throws. With one, network errors, 429 and 5xx are retried (same headers, so the same Idempotency-Key) until
   * the deadline.
   */
  async call<T = unknown>(route: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const started = Date.now();
    const retry = this.options.retry;
    let attempts = 0;
    let delay = 200;
    for (;;) {
      attempts += 1;
      const t0 = performance.now();
      let outcome: Answer | undefined;
      let failure: unknown;
      try {
        outcome = await this.once(method, path, body, headers);
      } catch (error) {
        failure = error;
      }
      const ms = performance.now() - t0;
      const status = outcome?.status ?? 0;
      const ok = status >= 200 && status < 300;
      this.options.book.add(route, outcome ? String(status) : 'network', ms, ok);
      if (status === 500) this.options.book.internalErrors.push({ route, at: new Date().toISOString(), requestId: outcome?.requestId, body: outcome?.body });
      if (ok) return { status, body: outcome!.body as T, ms: Date.now() - started, attempts };
      const retryable = !outcome || status === 429 || status >= 500;
      // Without a policy, a network error is still retried once, and a 503 (the API's "retry with the same
      // Idempotency-Key", e.g. an Update the workflow did not answer in time on a saturated machine) for up to a
      // minute, as any client does: every call of the bench is idempotent (orders by orderId, actions by key).
      const networkRetryOnce = !retry && !outcome && attempts === 1;
      const unavailableRetry = !retry && status === 503 && Date.now() - started < UNAVAILABLE_RETRY_MS;
      if (!networkRetryOnce && !unavailableRetry && (!retry || !retryable || Date.now() - started > retry.deadlineMs)) {
        if (outcome) throw new HttpError(route, status, outcome.body);
        throw new HttpError(route, 0, failure instanceof Error ? failure.message : String(failure));
      }
      this.options.book.retries += 1;
      await sleep(delay);
      delay = Math.min(delay * 2, 3_000);
    }
  }
}
