/**
 * Temporal connection settings, read the SDK's way (`@temporalio/envconfig`: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / config file), so the same worker
 * and API run against the local dev server, a self-hosted cluster or Temporal Cloud by configuration alone.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './index';

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
