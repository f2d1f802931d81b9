/**
 * docker-compose.yml cannot run here (no Docker engine), so this keeps it honest: every service the code needs
 * is declared, with health checks, and the app services get the variables the code reads (and no unknown ones).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig, WORKER_QUEUE_KINDS } from '../../config';
import { TEMPORAL_CONFIG_DIR } from '../../scripts/lib/temporal-topology';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}
// Compose resolves `<<: *anchor` merge keys (YAML 1.1): so must we.
const compose = parse(fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const configKeys = new Set(Object.keys(configSchema.shape));
/** Variables read outside config/index.ts: by @temporalio/envconfig and by the start scripts. */
const otherKnownVariables = new Set(['WORKFLOW_BUNDLE_PATH']);

/** A service's environment as compose gives it, `${VAR:-default}` read as its default. */
const environmentOf = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

describe('docker-compose.yml', () => {
  it('When parsed, then it declares every service the stack needs', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'chorus-sandbox', 'mail', 'migrate', 'postgres', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker', 'documents-worker'].sort(),
    );
  });

  it('When the long-running services start, then each has a health check or is watched by one', () => {
    for (const name of ['postgres', 'temporal', 'chorus-sandbox', 'api']) {
      expect(services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
    }
  });

  it('When Temporal runs, then it is the server image on the config and schema script npm start uses, on the PostgreSQL service', () => {
    const temporal = services.temporal!;
    expect(temporal.image).toMatch(/^temporalio\/server:1\.29\./);
    expect(JSON.stringify(compose)).not.toMatch(/auto-setup/);
    // The config the server topology of `npm start -- --temporal server` runs (scripts/lib/temporal-topology.ts).
    expect(temporal.volumes).toContain('./deploy/temporal:/deploy/temporal:ro');
    expect(temporal.entrypoint).toEqual(['temporal-server', '--root', '/deploy/temporal', '--config', 'config', '--env', 'production', '--allow-no-auth', 'start']);
    expect(fs.existsSync(path.join(TEMPORAL_CONFIG_DIR, 'config', 'production.yaml'))).toBe(true);
    expect(temporal.environment).toMatchObject({ POSTGRES_SEEDS: 'postgres', DB_PORT: 5432, DYNAMIC_CONFIG_FILE_PATH: '/deploy/temporal/dynamicconfig.yaml' });
    expect(fs.existsSync(path.join(TEMPORAL_CONFIG_DIR, 'dynamicconfig.yaml'))).toBe(true);
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    // The same schema steps: deploy/temporal/setup-schema.sh, on the postgres service.
    const schema = services['temporal-schema']!;
    expect(schema.image).toMatch(/^temporalio\/admin-tools:1\.29\./);
    expect(schema.entrypoint).toEqual(['sh', '/deploy/temporal/setup-schema.sh']);
    expect(schema.environment).toMatchObject({ SQL_HOST: 'postgres', SCHEMA_DIR: '/etc/temporal/schema/postgresql/v12' });
    expect(fs.existsSync(path.join(TEMPORAL_CONFIG_DIR, 'setup-schema.sh'))).toBe(true);
    expect(services['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it.each(['api', 'worker', 'documents-worker', 'chorus-sandbox', 'migrate'])(
    'When %s starts, then its environment is valid for the config schema and uses only known variables',
    (name) => {
      const env = environmentOf(name);
      for (const key of Object.keys(env)) {
        expect(configKeys.has(key) || otherKnownVariables.has(key) || key.startsWith('TEMPORAL_')).toBe(true);
      }
      const config = loadConfig(env);
      expect(config.NODE_ENV).toBe('production');
    },
  );

  it('When the app services talk to each other, then they use the compose service names', () => {
    const env = services.worker!.environment!;
    expect(String(env.DATABASE_URL)).toContain('@postgres:5432/');
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.CHORUS_API_URL).toBe('http://chorus-sandbox:4010');
    expect(env.SMTP_URL).toBe('smtp://mail:1025');
    expect(services.api!.environment!.API_HOST).toBe('0.0.0.0');
    expect(services['chorus-sandbox']!.environment!.CHORUS_SANDBOX_HOST).toBe('0.0.0.0');
  });

  it('When the workers run, then between them they poll every task queue, the renderings in a process of their own', () => {
    const queuesOf = (name: string) => loadConfig(environmentOf(name)).WORKER_QUEUES;
    expect(queuesOf('documents-worker')).toEqual(['documents']);
    expect(queuesOf('worker')).not.toContain('documents');
    expect([...queuesOf('worker'), ...queuesOf('documents-worker')].sort()).toEqual([...WORKER_QUEUE_KINDS].sort());
  });

  it('When the worker and the API start, then the migration job has completed first', () => {
    for (const name of ['worker', 'documents-worker', 'api']) {
      expect(services[name]!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(services[name]!.depends_on?.temporal?.condition).toBe('service_healthy');
      expect(services[name]!.depends_on?.['temporal-namespace']?.condition).toBe('service_completed_successfully');
    }
  });

  it('When the app services run, then each runs the entry point that exists in the repository', () => {
    for (const name of ['api', 'worker', 'documents-worker', 'chorus-sandbox', 'migrate']) {
      const entry = services[name]!.command!.at(-1)!;
      expect(fs.existsSync(path.join(__dirname, '../..', entry))).toBe(true);
    }
  });
});
