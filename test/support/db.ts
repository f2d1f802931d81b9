/**
 * A fresh PostgreSQL database per test file, on the run's server, built by the real migrations.
 */
import { Client } from 'pg';
import { initOrm, migrate, type Orm } from '../../db/orm';
import { testServices } from './services';

export interface TestDatabase {
  orm: Orm;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = testServices().databaseUrl;
  const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  const orm = await initOrm(url, { pool: { min: 0, max: 20 } });
  await migrate(orm);
  return {
    orm,
    url,
    drop: async () => {
      await orm.close(true);
      const c = new Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
