/**
 * The official PISTE Swagger of the Structures API (docs/reference/piste/Structures.json) is the one
 * machine-readable contract we have: every Structures request our client sends, and every answer the sandbox
 * gives it, must validate against it (required fields, types, enums, date-time formats). A sandbox that
 * invents a value (e.g. `statut: 'ACTIF'`) fails here, not in qualification.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { SANDBOX_SEEDS, startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { makeClient, urlOf } from './harness';

interface Operation {
  request: string;
  answer: string;
}
interface Swagger {
  basePath: string;
  paths: Record<string, Record<string, { parameters?: { in: string; schema?: { $ref?: string } }[]; responses: Record<string, { schema?: { $ref?: string } }> }>>;
  definitions: Record<string, unknown>;
}

const swagger = JSON.parse(readFileSync(join(__dirname, '../../docs/reference/piste/Structures.json'), 'utf8')) as Swagger;

/** Each path of the Swagger → the definitions of its body parameter and of its 200 answer. */
function operations(): Map<string, Operation> {
  const byPath = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(swagger.paths)) {
    const post = methods.post;
    const request = post?.parameters?.find((p) => p.in === 'body')?.schema?.$ref;
    const answer = post?.responses['200']?.schema?.$ref;
    if (request && answer) byPath.set(`${swagger.basePath}${path}`, { request, answer });
  }
  return byPath;
}

function validators(): (ref: string) => ValidateFunction {
  // Swagger 2.0 schemas are JSON Schema draft 4 plus `example`; int32/int64 are integer formats.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // RFC 3339 date-time, as Swagger's `format: date-time` means it.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({ $id: 'structures', definitions: swagger.definitions });
  return (ref) => {
    const validate = ajv.getSchema(`structures${ref}`);
    if (!validate) throw new Error(`no definition ${ref}`);
    return validate;
  };
}

interface Exchange {
  path: string;
  request: unknown;
  status: number;
  answer: unknown;
}

describe('Structures API against the official PISTE Swagger', () => {
  let running: RunningSandbox;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    running = await startSandbox();
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const path = new URL(urlOf(input)).pathname;
      if (path.startsWith('/cpro/structures/')) {
        const text = await response.clone().text();
        exchanges.push({ path, request: JSON.parse(typeof init?.body === 'string' ? init.body : 'null'), status: response.status, answer: JSON.parse(text) });
      }
      return response;
    };
    const { client } = makeClient(running, { fetch: recordingFetch });
    // Every kind of answer: found, not found, with services, without any, ambiguous.
    for (const buyer of Object.values(SANDBOX_SEEDS.buyers)) await client.describeBuyer(buyer.siret);
    await client.describeBuyer('12345678200010');
    await client.describeBuyer(SANDBOX_SEEDS.suppliers.primary.siret);
  });
  afterAll(async () => {
    await running?.close();
  });

  it('When the client looks buyers up, then it calls each of the four Structures operations it uses', () => {
    const paths = new Set(exchanges.map((e) => e.path));
    expect([...paths].sort()).toEqual([
      '/cpro/structures/v1/consulter',
      '/cpro/structures/v1/consulter/service',
      '/cpro/structures/v1/rechercher',
      '/cpro/structures/v1/rechercher/services',
    ]);
  });

  it('When every request the client sent is checked, then each validates against its Swagger definition', () => {
    const ops = operations();
    const definition = validators();
    const invalid = exchanges.flatMap((e) => {
      const op = ops.get(e.path);
      if (!op) return [`${e.path}: not in the Swagger`];
      const validate = definition(op.request);
      return validate(e.request) ? [] : [`${e.path} ${op.request}: ${ajvErrors(validate)}`];
    });
    expect(invalid).toEqual([]);
  });

  it('When every answer of the sandbox is checked, then each is HTTP 200 and validates against its Swagger definition', () => {
    const ops = operations();
    const definition = validators();
    const invalid = exchanges.flatMap((e) => {
      const op = ops.get(e.path);
      if (!op) return [`${e.path}: not in the Swagger`];
      const validate = definition(op.answer);
      const problems = validate(e.answer) ? [] : [`${e.path} ${op.answer}: ${ajvErrors(validate)}`];
      return e.status === 200 ? problems : [...problems, `${e.path}: HTTP ${e.status}`];
    });
    expect(invalid).toEqual([]);
  });

  it('When an unknown SIRET is searched, then the sandbox answers as the real host: HTTP 200, codeRetour 20000, TRA_MSG_00.015', () => {
    const search = exchanges.find(
      (e) => e.path === '/cpro/structures/v1/rechercher' && JSON.stringify(e.request).includes('12345678200010'),
    );
    expect(search).toMatchObject({ status: 200, answer: { codeRetour: 20000 } });
    expect((search?.answer as { libelle: string }).libelle).toMatch(/^TRA_MSG_00\.015/);
  });
});

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`).join('; ');
}
