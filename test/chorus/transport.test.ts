/**
 * The transport against the sandbox on a real port: OAuth token life, PISTE headers, and the classification of
 * every failure. A few cases the sandbox cannot produce (429, HTTP 200 with an error code, 403) use a stub fetch.
 */
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import {
  ChorusAuthError,
  ChorusBusinessError,
  ChorusClient,
  ChorusTransientError,
  ChorusTransport,
  parseRetryAfter,
  type ChorusCallLog,
} from '../../chorus';
import { SANDBOX_SEEDS, startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { loadConfig } from '../../config';
import { chorusClientFromConfig } from '../../worker/chorus-client';
import { control, DEV_CREDENTIALS, FAST_FLOW_MS, makeClient, tokenCalls, urlOf } from './harness';

const KNOWN_SIRET = SANDBOX_SEEDS.buyers.noRequirement.siret;
const CPRO_ACCOUNT = Buffer.from(`${DEV_CREDENTIALS.techLogin}:${DEV_CREDENTIALS.techPassword}`, 'utf8').toString('base64');

interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Wraps the real fetch to record what the client sends. */
function recordingFetch(seen: SeenRequest[]): typeof fetch {
  return async (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    seen.push({ url: urlOf(input), method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? init.body : '' });
    return fetch(input, init);
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Chorus transport against the sandbox', () => {
  let running: RunningSandbox;

  beforeAll(async () => {
    running = await startSandbox({ flowProcessingDelayMs: FAST_FLOW_MS });
  });
  afterAll(async () => {
    await running.close();
  });
  beforeEach(() => {
    running.state.reset();
  });

  test('When the first call is made, then a client_credentials token is fetched once and sent with the PISTE headers', async () => {
    const seen: SeenRequest[] = [];
    const { client } = makeClient(running, { fetch: recordingFetch(seen) });

    await client.rechercherStructure(KNOWN_SIRET);
    await client.healthCheck();

    expect(tokenCalls(running)).toBe(1);
    const [tokenRequest, search, health] = seen;
    expect(tokenRequest?.url).toBe(running.tokenUrl);
    expect(tokenRequest?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: DEV_CREDENTIALS.clientId,
      client_secret: DEV_CREDENTIALS.clientSecret,
      scope: 'openid',
    });
    expect(search).toMatchObject({ url: `${running.url}/cpro/structures/v1/rechercher`, method: 'POST' });
    expect(search?.headers).toMatchObject({
      'content-type': 'application/json;charset=utf-8',
      accept: 'application/json',
      'cpro-account': CPRO_ACCOUNT,
    });
    expect(search?.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(health).toMatchObject({ url: `${running.url}/cpro/transverses/v1/health-check`, method: 'GET' });
    expect(health?.headers.authorization).toBe(search?.headers.authorization);
  });

  test('When several calls start together without a token, then they share one token request', async () => {
    const { client } = makeClient(running);

    await Promise.all(Array.from({ length: 6 }, () => client.rechercherStructure(KNOWN_SIRET)));

    expect(tokenCalls(running)).toBe(1);
    expect(running.state.stats()['POST /cpro/structures/v1/rechercher']).toBe(6);
  });

  test('When the token is within 240 s of its expiry, then a new one is fetched before the call', async () => {
    let clock = Date.now();
    const { client } = makeClient(running, { now: () => clock });

    await client.rechercherStructure(KNOWN_SIRET);
    clock += 3_600_000 - 240_000 - 1_000; // one second before the renewal point
    await client.rechercherStructure(KNOWN_SIRET);
    expect(tokenCalls(running)).toBe(1);

    clock += 2_000; // one second after it
    await client.rechercherStructure(KNOWN_SIRET);
    expect(tokenCalls(running)).toBe(2);
  });

  test('When PISTE expires the token before the client expects, then the call gets a fresh token and is replayed once', async () => {
    await control(running, 'PUT', '/config', { tokenLifetimeMs: 150 });
    const frozen = Date.now();
    const { client, logs } = makeClient(running, { now: () => frozen }); // the client never sees its token age

    await client.rechercherStructure(KNOWN_SIRET);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const found = await client.rechercherStructure(KNOWN_SIRET);

    expect(found?.identifiantStructure).toBe(KNOWN_SIRET);
    expect(tokenCalls(running)).toBe(2);
    expect(running.state.stats()['POST /cpro/structures/v1/rechercher']).toBe(3);
    expect(logs.filter((l) => l.kind === 'api').map((l) => [l.status, l.outcome])).toEqual([
      [200, 'ok'],
      [401, 'retry_with_new_token'],
      [200, 'ok'],
    ]);
  });

  test('When PISTE refuses a valid token once (spurious 401), then the call is replayed once and succeeds', async () => {
    const draws = [0.1, 0.9];
    const flaky = await startSandbox({ faults: { spurious401Rate: 0.5 }, random: () => draws.shift() ?? 0.9 });
    try {
      const { client } = makeClient(flaky);
      const found = await client.rechercherStructure(KNOWN_SIRET);
      expect(found?.identifiantStructure).toBe(KNOWN_SIRET);
      expect(flaky.state.stats()['POST /cpro/structures/v1/rechercher']).toBe(2);
      expect(tokenCalls(flaky)).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  test('When every call gets a 401, then ChorusAuthError comes after exactly one replay, with the WWW-Authenticate text', async () => {
    await control(running, 'PUT', '/config', { faults: { spurious401Rate: 1 } });
    const { client } = makeClient(running);

    const error = await caught(client.rechercherStructure(KNOWN_SIRET));

    expect(error).toBeInstanceOf(ChorusAuthError);
    expect(error).toMatchObject({ name: 'ChorusAuthError', reason: 'unauthorized', httpStatus: 401, retryable: false });
    expect((error as ChorusAuthError).wwwAuthenticate).toContain('realm="PISTE"');
    expect(running.state.stats()['POST /cpro/structures/v1/rechercher']).toBe(2);
  });

  test('When the OAuth client secret is wrong, then ChorusAuthError carries invalid_client and no business call is made', async () => {
    const { client } = makeClient(running, { credentials: { ...DEV_CREDENTIALS, clientSecret: 'not-the-secret' } });

    const error = await caught(client.rechercherStructure(KNOWN_SIRET));

    expect(error).toBeInstanceOf(ChorusAuthError);
    expect(error).toMatchObject({
      reason: 'token_refused',
      httpStatus: 400,
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    expect(running.state.stats()['POST /cpro/structures/v1/rechercher']).toBeUndefined();
    expect(tokenCalls(running)).toBe(2); // asked once more, in case PISTE was flaky
  });

  test('When PISTE answers invalid_client to valid credentials every time (injected), then ChorusAuthError is raised', async () => {
    await control(running, 'PUT', '/config', { faults: { invalidClientRate: 1 } });
    const { client } = makeClient(running);

    const error = await caught(client.healthCheck());

    expect(error).toBeInstanceOf(ChorusAuthError);
    expect((error as ChorusAuthError).error).toBe('invalid_client');
  });

  test('When PISTE answers invalid_client once to valid credentials, then the token is asked again and the call succeeds', async () => {
    const draws = [0.1, 0.9];
    const flaky = await startSandbox({ faults: { invalidClientRate: 0.5 }, random: () => draws.shift() ?? 0.9 });
    try {
      const { client, logs } = makeClient(flaky);
      await expect(client.healthCheck()).resolves.toMatchObject({ statusCodeValue: 200 });
      expect(tokenCalls(flaky)).toBe(2);
      expect(logs.filter((l) => l.kind === 'token').map((l) => [l.attempt, l.status, l.outcome])).toEqual([
        [1, 400, 'auth_error'],
        [2, 200, 'ok'],
      ]);
    } finally {
      await flaky.close();
    }
  });

  test('When the technical account password is wrong, then ChorusAuthError carries PISTE\'s "login or password incorrects"', async () => {
    const { client } = makeClient(running, { credentials: { ...DEV_CREDENTIALS, techPassword: 'expired-password' } });

    const error = await caught(client.consulterStructure(25_000_001));

    expect(error).toBeInstanceOf(ChorusAuthError);
    expect(error).toMatchObject({ reason: 'unauthorized', httpStatus: 401 });
    expect((error as ChorusAuthError).wwwAuthenticate).toBe(
      'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"',
    );
    expect((error as Error).message).toContain('login or password incorrects');
  });

  test('When Chorus answers 503, then ChorusTransientError carries the status and Retry-After in ms', async () => {
    await control(running, 'PUT', '/config', { faults: { errorRate5xx: 1 } });
    const { client } = makeClient(running);

    const error = await caught(client.rechercherStructure(KNOWN_SIRET));

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect(error).toMatchObject({ name: 'ChorusTransientError', httpStatus: 503, retryAfterMs: 1000, retryable: true, timedOut: false });
  });

  test('When Chorus is slower than the timeout, then ChorusTransientError says it timed out', async () => {
    const slow = makeClient(running, { timeoutMs: 100 });
    await slow.client.healthCheck(); // token first, so the latency hits a business call
    await control(running, 'PUT', '/config', { faults: { latencyMs: 1000 } });

    const started = Date.now();
    const error = await caught(slow.client.healthCheck());

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect(error).toMatchObject({ timedOut: true, httpStatus: undefined });
    expect(Date.now() - started).toBeLessThan(900);
    expect(slow.logs.at(-1)).toMatchObject({ kind: 'api', status: null, outcome: 'transient_error' });
  });

  test('When the token endpoint is slower than the timeout, then ChorusTransientError says it timed out', async () => {
    await control(running, 'PUT', '/config', { faults: { latencyMs: 1000 } });
    const slow = makeClient(running, { timeoutMs: 100 });

    const error = await caught(slow.client.healthCheck());

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect(error).toMatchObject({ timedOut: true, operation: 'POST /api/oauth/token' });
  });

  test('When nothing listens at the API address, then ChorusTransientError is raised', async () => {
    const port = await freePort();
    const client = new ChorusClient(
      new ChorusTransport({
        apiUrl: `http://127.0.0.1:${port}`,
        oauthUrl: `http://127.0.0.1:${port}/api/oauth/token`,
        credentials: DEV_CREDENTIALS,
        timeoutMs: 1000,
      }),
    );

    const error = await caught(client.healthCheck());

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect((error as ChorusTransientError).timedOut).toBe(false);
  });

  test('When Chorus refuses a request, then ChorusBusinessError carries codeRetour, libelle and HTTP status verbatim', async () => {
    const { client } = makeClient(running);

    const error = await caught(client.consulterCRDetaille('CPP0000000000000000000000'));

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({
      name: 'ChorusBusinessError',
      codeRetour: 20001,
      libelle: 'POQ_MSG_01.003 - Flux introuvable.',
      httpStatus: 400,
      retryable: false,
    });
  });

  test('When built from the configuration, then the client reaches the sandbox with the dev defaults', async () => {
    const config = loadConfig({ CHORUS_API_URL: running.url, CHORUS_OAUTH_URL: running.tokenUrl, CHORUS_TIMEOUT: '2s' });
    const client = chorusClientFromConfig(config);

    await expect(client.healthCheck()).resolves.toMatchObject({ statusCodeValue: 200 });
    expect(client.transport.timeoutMs).toBe(2000);
  });

  test('When calls fail in every way, then no credential or token appears in errors, logs or the transport itself', async () => {
    const seen: SeenRequest[] = [];
    const logs: ChorusCallLog[] = [];
    const texts: string[] = [];
    const record = (error: unknown) => texts.push(String(error), JSON.stringify(error), inspect(error, { depth: 5 }));

    const good = makeClient(running, { fetch: recordingFetch(seen), logger: (l) => logs.push(l) });
    await good.client.healthCheck();
    record(await caught(good.client.consulterCRDetaille('CPP0000000000000000000000')));
    await control(running, 'PUT', '/config', { faults: { errorRate5xx: 1 } });
    record(await caught(good.client.healthCheck()));
    await control(running, 'PUT', '/config', { faults: { errorRate5xx: 0, latencyMs: 300 } });
    const slow = makeClient(running, { timeoutMs: 50, logger: (l) => logs.push(l) });
    record(await caught(slow.client.healthCheck()));
    await control(running, 'PUT', '/config', { faults: { latencyMs: 0 } });
    record(await caught(makeClient(running, { credentials: { ...DEV_CREDENTIALS, clientSecret: 'wrong' } }).client.healthCheck()));
    record(await caught(makeClient(running, { credentials: { ...DEV_CREDENTIALS, techPassword: 'wrong' } }).client.healthCheck()));
    texts.push(inspect(good.transport, { depth: 5, showHidden: true }), JSON.stringify(good.transport), JSON.stringify(logs));

    const token = seen.find((r) => r.headers.authorization)?.headers.authorization?.replace('Bearer ', '');
    const secrets = [DEV_CREDENTIALS.clientSecret, DEV_CREDENTIALS.techPassword, CPRO_ACCOUNT, token ?? 'token-not-seen', 'wrong'];
    expect(token).toBeDefined();
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('Chorus transport classification (stub fetch)', () => {
  const stubbed = (respond: (url: string) => Response, options: { logger?: (entry: ChorusCallLog) => void } = {}) =>
    new ChorusClient(
      new ChorusTransport({
        apiUrl: 'https://api.example.test/',
        oauthUrl: 'https://oauth.example.test/api/oauth/token',
        credentials: DEV_CREDENTIALS,
        timeoutMs: 1000,
        fetch: async (input) => {
          const url = urlOf(input);
          if (url.endsWith('/api/oauth/token')) {
            return Response.json({ access_token: 'stub-token', token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
          }
          return respond(url);
        },
        ...options,
      }),
    );

  test('When Chorus answers HTTP 200 with a non-zero codeRetour, then ChorusBusinessError is raised anyway', async () => {
    const client = stubbed(() => Response.json({ codeRetour: 20013, libelle: 'GDP_MSG_13.001 - Refus' }));

    const error = await caught(client.deposerFlux({ fichierFlux: Buffer.from('x'), nomFichier: 'x.pdf' }));

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({ codeRetour: 20013, libelle: 'GDP_MSG_13.001 - Refus', httpStatus: 200 });
  });

  test('When Chorus answers 429 with Retry-After, then ChorusTransientError carries the delay in ms', async () => {
    const client = stubbed(() => new Response('slow down', { status: 429, headers: { 'Retry-After': '7' } }));

    const error = await caught(client.healthCheck());

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect(error).toMatchObject({ httpStatus: 429, retryAfterMs: 7000 });
  });

  test('When Retry-After is an HTTP date, then it is turned into a delay from now', () => {
    const now = Date.parse('2025-01-01T10:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  test('When PISTE answers 403 (API not subscribed), then ChorusAuthError with reason forbidden', async () => {
    const client = stubbed(() => new Response(null, { status: 403 }));

    const error = await caught(client.rechercherStructure(KNOWN_SIRET));

    expect(error).toBeInstanceOf(ChorusAuthError);
    expect(error).toMatchObject({ reason: 'forbidden', httpStatus: 403 });
  });

  test('When a 4xx comes without the Chorus envelope, then ChorusBusinessError has a null codeRetour and the body text', async () => {
    const client = stubbed(() => new Response('<html><body>Not Found</body></html>', { status: 404 }));

    const error = await caught(client.consulterHistorique(1));

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({ codeRetour: null, httpStatus: 404, libelle: '<html><body>Not Found</body></html>' });
  });

  test('When a success answer lacks a field we rely on, then ChorusTransientError names it', async () => {
    const client = stubbed(() => Response.json({ codeRetour: 0, libelle: 'TRA_MSG_00.000' }));

    const error = await caught(client.deposerFlux({ fichierFlux: Buffer.from('x'), nomFichier: 'x.pdf' }));

    expect(error).toBeInstanceOf(ChorusTransientError);
    expect((error as Error).message).toContain('numeroFluxDepot');
  });

  test('When ids and amounts come as strings, then they are read as numbers', async () => {
    const client = stubbed(() =>
      Response.json({
        codeRetour: '0',
        listeFactures: [{ identifiantFactureCPP: '1234', numeroFacture: 'F1', statut: 'DEPOSEE', montantTTC: '12.50' }],
        parametresRetour: { pages: '1', pageCourante: '1', total: '1', nbResultatsParPage: '10' },
      }),
    );

    const [invoice] = await client.rechercherFactureParFournisseur({ numeroFacture: 'F1' });

    expect(invoice).toMatchObject({ identifiantFactureCPP: 1234, montantTTC: 12.5, rejetTraite: false });
  });

  test('When the caller cancels, then its reason is thrown, not a ChorusTransientError', async () => {
    const client = new ChorusClient(
      new ChorusTransport({
        apiUrl: 'https://api.example.test',
        oauthUrl: 'https://oauth.example.test/api/oauth/token',
        credentials: DEV_CREDENTIALS,
        timeoutMs: 5000,
        fetch: async (input, init) => {
          if (urlOf(input).endsWith('/token')) return Response.json({ access_token: 't', expires_in: 3600 });
          return new Promise<Response>((_resolve, reject) => {
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
          });
        },
      }),
    );
    const controller = new AbortController();
    const cancelled = new Error('activity cancelled');

    const pending = caught(client.healthCheck({ signal: controller.signal }));
    setTimeout(() => controller.abort(cancelled), 20);

    expect(await pending).toBe(cancelled);
  });

  test('When the logger throws, then the call still succeeds', async () => {
    const client = stubbed(() => Response.json({ body: 'up' }), {
      logger: () => {
        throw new Error('broken logger');
      },
    });

    await expect(client.healthCheck()).resolves.toEqual({ body: 'up' });
  });

  test('When the error classes are created, then their names are the stable failure types Temporal records', () => {
    const errors = [
      new ChorusTransientError('x', { operation: 'POST /x' }),
      new ChorusBusinessError({ operation: 'POST /x', codeRetour: 1, libelle: 'y', httpStatus: 400 }),
      new ChorusAuthError({ operation: 'POST /x', reason: 'forbidden', httpStatus: 403 }),
    ];
    expect(errors.map((e) => [e.name, e.retryable, e instanceof Error])).toEqual([
      ['ChorusTransientError', true, true],
      ['ChorusBusinessError', false, true],
      ['ChorusAuthError', false, true],
    ]);
  });
});
