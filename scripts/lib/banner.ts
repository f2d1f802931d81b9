/** What `npm start` prints once the stack runs: every URL and dev credential, in one place (tests check its URLs). */
import path from 'node:path';
import type { Config } from '../../config';
import { mailViewerUrl } from './mail-catcher';
import { DEMO_PRODUCER } from './space';
import type { DevServer } from './temporal-server';

export function banner(config: Config, databaseUrl: string, temporal: Pick<DevServer, 'address' | 'uiUrl'>, spaceLink?: string): string {
  const api = `http://127.0.0.1:${config.PORT}`;
  const redacted = databaseUrl.replace(/\/\/([^:]+):[^@]+@/, '//$1:****@');
  return `
================================================================================
 Agrilocal × Chorus Pro invoicing — running

 API              ${api}/api/v1   health ${api}/healthz   docs ${api}/docs
${spaceLink === undefined ? '' : ` Producer space   ${spaceLink}
                  (producer ${DEMO_PRODUCER}; single use, 15 min — a new one: npx tsx scripts/token.ts --link ${DEMO_PRODUCER})
`} Temporal Web UI  ${temporal.uiUrl ?? '(headless)'}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows
 Temporal gRPC    ${temporal.address}   namespace ${config.TEMPORAL_NAMESPACE}   task queue ${config.TEMPORAL_TASK_QUEUE}
 Chorus sandbox   http://127.0.0.1:${config.CHORUS_SANDBOX_PORT}   (control: /sandbox/v1/…)
 Mail viewer      ${mailViewerUrl(config)}   SMTP ${config.SMTP_URL}
 PostgreSQL       ${redacted}

 Dev credentials (Authorization: Bearer …)
   platform key   ${config.AGRILOCAL_API_KEY}
   admin key      ${config.ADMIN_API_KEY}
   producer JWT   HS256 signed with PRODUCER_JWT_SECRET=${config.PRODUCER_JWT_SECRET}, sub = SIRET
   Chorus (PISTE) client ${config.CHORUS_CLIENT_ID} / ${config.CHORUS_CLIENT_SECRET}, technical account ${config.CHORUS_TECH_LOGIN}

 Data kept in ${path.resolve(config.DATA_DIR)} — Ctrl-C stops everything.
================================================================================
`;
}

