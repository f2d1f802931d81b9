/**
 * The custom search attributes the worker's namespace must have, derived from the typed keys the workflow writes
 * (`workflows/search-attributes.ts`, the one definition): every `defineSearchAttributeKey` exported there is
 * registered. Passed to `ensureNamespaceReady` (worker/main.ts) and to the dev server (scripts/lib/temporal-server.ts).
 */
import { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeDefinition } from '../config/temporal';
import * as invoiceSearchAttributes from '../workflows/search-attributes';

const TYPES: readonly string[] = Object.values(SearchAttributeType);

function isSearchAttributeKey(value: unknown): value is SearchAttributeDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const { name, type } = value as { name?: unknown; type?: unknown };
  return typeof name === 'string' && typeof type === 'string' && TYPES.includes(type);
}

export const INVOICE_SEARCH_ATTRIBUTES: readonly SearchAttributeDefinition[] = Object.values(invoiceSearchAttributes).flatMap((value) =>
  isSearchAttributeKey(value) ? [value] : [],
);
