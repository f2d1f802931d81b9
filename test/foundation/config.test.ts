import { randomBytes } from 'node:crypto';
import { ConfigError, DEV_DEFAULTS, loadConfig } from '../../config';
import { parseDuration } from '../../domain/duration';

describe('configuration', () => {
  it('When nothing is set, then every default works on loopback', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.CHORUS_SANDBOX_PORT).toBe(4010);
    expect(config.FLOW_POLL_INTERVAL).toBe(60_000);
    expect(config.LIFECYCLE_POLL_INTERVAL).toBeUndefined();
  });

  it('When a duration or a port is malformed, then the error names each variable and the reason', () => {
    expect(() => loadConfig({ FLOW_POLL_INTERVAL: 'soon', PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadConfig({ FLOW_POLL_INTERVAL: 'soon', PORT: 'eighty' });
    } catch (error) {
      expect((error as Error).message).toContain('FLOW_POLL_INTERVAL: "soon" is not a duration');
      expect((error as Error).message).toContain('PORT:');
    }
  });

  it('When running in production with dev credentials, then start is refused naming them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AGRILOCAL_API_KEY: must be set in production/);
    const env: Record<string, string> = { NODE_ENV: 'production' };
    for (const key of Object.keys(DEV_DEFAULTS)) env[key] = `${key.toLowerCase()}-real-value-0123456789-abcdefghijkl`;
    env.CHORUS_CREDENTIALS_KEY = randomBytes(32).toString('base64');
    expect(loadConfig(env).NODE_ENV).toBe('production');
    expect(() => loadConfig({ ...env, CHORUS_CREDENTIALS_KEY: DEV_DEFAULTS.CHORUS_CREDENTIALS_KEY })).toThrow(/CHORUS_CREDENTIALS_KEY: must be set in production/);
  });

  it('When WORKER_QUEUES is given, then the worker polls those queues, and an unknown one is refused naming it', () => {
    expect(loadConfig({}).WORKER_QUEUES).toEqual(['invoices', 'chorus', 'documents', 'webhooks']);
    expect(loadConfig({ WORKER_QUEUES: ' documents ,documents' }).WORKER_QUEUES).toEqual(['documents']);
    expect(() => loadConfig({ WORKER_QUEUES: 'invoices,pdf' })).toThrow(/WORKER_QUEUES: unknown "pdf"; give one or more of invoices, chorus, documents, webhooks/);
    expect(() => loadConfig({ WORKER_QUEUES: ' , ' })).toThrow(/WORKER_QUEUES: give one or more of/);
  });

  it('When the credentials key is not 32 bytes in base64, then start is refused naming it', () => {
    expect(() => loadConfig({ CHORUS_CREDENTIALS_KEY: randomBytes(16).toString('base64') })).toThrow(/CHORUS_CREDENTIALS_KEY: must be 32 bytes in base64/);
    expect(() => loadConfig({ CHORUS_CREDENTIALS_KEY: 'not base64 at all!' })).toThrow(/CHORUS_CREDENTIALS_KEY/);
  });

  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['3d', 259_200_000],
    ['1.5s', 1500],
    ['250', 250],
  ])('When the duration is %s, then it is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '-1s', '1y', '2 days'])('When the duration is "%s", then it is refused', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
