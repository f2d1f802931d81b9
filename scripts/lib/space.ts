/**
 * The producer's web space from the command line: a sign-in link asked of the running API (the platform's call,
 * POST /producers/{siret}/login-links), and the demo data `npm start` seeds on a fresh stack so that the
 * banner's link opens a space with invoices to handle. Everything goes through the REST API.
 */
export const DEMO_PRODUCER = '90123456700005';
/** Sandbox seeds (chorus-sandbox/seeds.ts): a buyer with no requirement, one that requires an engagement code. */
const DEMO_BUYERS = [
  { siret: '12345678200051', name: 'Collège Jean Moulin', email: 'intendance@college-jean-moulin.fr', city: 'Bergerac', postalCode: '24100' },
  { siret: '12345678200036', name: 'Département de test', email: 'achats@departement-test.fr', city: 'Périgueux', postalCode: '24000' },
];

async function call(api: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${api}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export async function requestLoginLink(api: string, platformKey: string, siret: string): Promise<{ url: string; expiresAt: string } | { error: string; code: string }> {
  const res = await call(api, platformKey, 'POST', `/producers/${siret}/login-links`);
  if (res.status === 201) return res.body as { url: string; expiresAt: string };
  const error = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: error?.code ?? String(res.status), error: error?.message ?? `HTTP ${res.status}` };
}

async function must(what: string, res: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const done = await res;
  if (done.status >= 300) throw new Error(`${what}: HTTP ${done.status} ${JSON.stringify(done.body)}`);
  return done.body;
}

/** A producer with the Chorus flow open, two public buyers and two invoices "à traiter" (the second needs an engagement code). */
export async function seedDemoSpace(api: string, platformKey: string): Promise<void> {
  await must(
    'producer',
    call(api, platformKey, 'PUT', `/producers/${DEMO_PRODUCER}`, {
      name: 'EARL Ferme des Trois Chênes',
      email: 'contact@ferme-trois-chenes.fr',
      address: { line1: 'Lieu-dit Les Chênes', postalCode: '24350', city: 'Tocane-Saint-Apre' },
      vatNumber: 'FR15901234567',
      chorusEnabled: true,
      paymentMethod: { type: 'VIREMENT', iban: 'FR7630006000011234567890189' },
    }),
  );
  for (const [i, buyer] of DEMO_BUYERS.entries()) {
    await must('buyer', call(api, platformKey, 'PUT', `/buyers/${buyer.siret}`, { name: buyer.name, email: buyer.email, kind: 'PUBLIC', address: { line1: '1 rue de l’École', postalCode: buyer.postalCode, city: buyer.city } }));
    const orderId = `DEMO-${Date.now()}-${i + 1}`;
    await must(
      'order',
      call(api, platformKey, 'POST', '/orders', {
        orderId,
        producerSiret: DEMO_PRODUCER,
        buyerSiret: buyer.siret,
        deliveryDate: new Date().toISOString().slice(0, 10),
        engagementCodeRequired: i === 1,
        lines: [
          { lineId: 'L1', label: 'Carottes des sables', unit: 'kg', unitPriceHT: '2.35', vatRate: '5.5', orderedQuantity: '12.5' },
          { lineId: 'L2', label: 'Jus de pomme 1 L', unit: 'bouteille', unitPriceHT: '2.80', vatRate: '20', orderedQuantity: '24' },
        ],
      }),
    );
    await must('quantities', call(api, platformKey, 'POST', `/orders/${orderId}/quantity-validation`, { validatedBy: 'PRODUCER', lines: [{ lineId: 'L1', deliveredQuantity: '12.25' }, { lineId: 'L2', deliveredQuantity: '24' }] }));
  }
}
