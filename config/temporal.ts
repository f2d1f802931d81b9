/**
 * Temporal connection settings, read the SDK's way (`@temporalio/envconfig`: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), so the same worker
 * and API run against the local dev server, a self-hosted cluster or Temporal Cloud by configuration alone.
 */
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './index';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

export function temporalSettings(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): TemporalSettings {
  const loaded = loadClientConnectConfig();
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? config.TEMPORAL_ADDRESS },
    namespace: loaded.namespace ?? config.TEMPORAL_NAMESPACE,
  };
}

export async function connectClient(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const { connectionOptions, namespace } = temporalSettings(config);
  const connection = await Connection.connect(connectionOptions);
  return new Client({ connection, namespace });
}

export async function connectWorkerConnection(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>,
): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = temporalSettings(config);
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}

/** A custom search attribute to register: what `defineSearchAttributeKey` returns (name and type). */
export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

/**
 * Registers missing search attributes and sets retention; idempotent. The attributes come from the caller (the
 * worker's `INVOICE_SEARCH_ATTRIBUTES`), so the configuration layer knows no workflow.
 */
export async function ensureNamespaceReady(
  connection: Connection, namespace: string, searchAttributes: readonly SearchAttributeDefinition[], retentionHours?: number): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const { name, type } of searchAttributes) {
    if (existing.customAttributes[name] === undefined) missing[name] = IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  if (retentionHours !== undefined) {
    const described = await connection.workflowService.describeNamespace({ namespace });
    const current = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
    const wanted = retentionHours * 3600;
    if (current !== wanted) {
      await connection.workflowService.updateNamespace({
        namespace,
        config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(wanted) } },
      });
    }
  }
}
