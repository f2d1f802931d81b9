/**
 * Prometheus metrics of the API, on a registry of its own (several apps can live in one test process):
 * request durations by route, invoices by status (read from PostgreSQL at scrape time, so it is right whichever
 * process changed them) and workflow actions by outcome.
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { INVOICE_STATUSES } from '../domain/statuses';

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  workflowActions: Counter<'action' | 'outcome'>;
  middleware: RequestHandler;
}

export function createMetrics(countByStatus: () => Promise<Record<string, number>>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request durations by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const workflowActions = new Counter({
    name: 'invoice_workflow_actions_total',
    help: 'Actions forwarded to invoice workflows (start and Updates), by outcome: ok or the error code',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'invoices_by_status',
    help: 'Invoices per Agrilocal status, read from PostgreSQL at scrape time',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      // A database outage must not break the scrape: the gauge is then left out, the other metrics still come.
      const counts = await countByStatus().catch(() => undefined);
      this.reset();
      if (!counts) return;
      for (const status of new Set([...INVOICE_STATUSES, ...Object.keys(counts)])) this.set({ status }, counts[status] ?? 0);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The route pattern, not the URL: bounded label values.
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return { registry, httpDuration, workflowActions, middleware };
}

/** invoice counts per status in one query. */
export function countInvoicesByStatus(em: () => EntityManager): () => Promise<Record<string, number>> {
  return async () => {
    const rows = await em().getConnection().execute<{ status: string; count: string }[]>(
      'select status, count(*)::text as count from invoice group by status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  };
}
