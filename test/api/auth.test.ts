/** Who is calling (pure): platform and admin keys, producer JWTs, and what each may call. */
import { createHmac } from 'node:crypto';
import { createAuthenticator, signProducerToken } from '../../api/auth';
import { ApiError } from '../../api/errors';
import { newSiret } from './fixtures';

const config = {
  AGRILOCAL_API_KEY: 'platform-key-for-tests',
  ADMIN_API_KEY: 'admin-key-for-tests',
  PRODUCER_JWT_SECRET: 'producer-jwt-secret-for-tests-0123456789abcdef',
};
const identify = createAuthenticator(config);

async function refusal(header: string | undefined): Promise<ApiError> {
  try {
    await identify(header);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function handMadeToken(header: object, payload: object, secret = config.PRODUCER_JWT_SECRET, hash = 'sha256'): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

describe('Authentication', () => {
  const siret = newSiret();

  it('When the platform or admin key is sent, then the caller is the platform or the admin', async () => {
    await expect(identify(`Bearer ${config.AGRILOCAL_API_KEY}`)).resolves.toEqual({ kind: 'platform' });
    await expect(identify(`bearer ${config.ADMIN_API_KEY}`)).resolves.toEqual({ kind: 'admin' });
  });

  it('When a valid producer token is sent, then the caller is that producer', async () => {
    const token = await signProducerToken(config.PRODUCER_JWT_SECRET, siret);
    await expect(identify(`Bearer ${token}`)).resolves.toEqual({ kind: 'producer', siret });
  });

  it('When no credential or a malformed header is sent, then 401 UNAUTHENTICATED says how to authenticate', async () => {
    for (const header of [undefined, '', 'Basic abc', 'Bearer', `Bearer ${'x'.repeat(5000)}`]) {
      const err = await refusal(header);
      expect(err.httpStatus).toBe(401);
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toMatch(/Bearer/);
    }
  });

  it('When a wrong key is sent, then 401 without revealing anything about the keys', async () => {
    const err = await refusal('Bearer platform-key-for-test');
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toBe('Invalid credential.');
  });

  it('When the token is expired, then 401 says it expired', async () => {
    const token = await signProducerToken(config.PRODUCER_JWT_SECRET, siret, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    expect((await refusal(`Bearer ${token}`)).message).toMatch(/expired/);
  });

  it('When the token is signed with another secret, another algorithm or none, then 401', async () => {
    const payload = { sub: siret, role: 'producer', exp: Math.floor(Date.now() / 1000) + 600 };
    const tokens = [
      await signProducerToken('another-secret-another-secret-another-secret', siret),
      await signProducerToken(config.PRODUCER_JWT_SECRET, siret, { algorithm: 'HS512' }),
      handMadeToken({ alg: 'HS384', typ: 'JWT' }, payload, config.PRODUCER_JWT_SECRET, 'sha384'),
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`,
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.${b64url('x')}`,
    ];
    for (const token of tokens) expect((await refusal(`Bearer ${token}`)).code).toBe('UNAUTHENTICATED');
  });

  it('When a well-signed token lacks the producer role or a valid SIRET subject, then 401', async () => {
    const tokens = [
      await signProducerToken(config.PRODUCER_JWT_SECRET, siret, { role: 'admin' }),
      await signProducerToken(config.PRODUCER_JWT_SECRET, '12345678901234'),
      handMadeToken({ alg: 'HS256', typ: 'JWT' }, { role: 'producer', exp: Math.floor(Date.now() / 1000) + 600 }),
    ];
    for (const token of tokens) expect((await refusal(`Bearer ${token}`)).message).toMatch(/role.*producer.*sub/);
  });

  it('When a hand-made HS256 token is correct, then it is accepted (no dependency on how it was signed)', async () => {
    const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, { sub: siret, role: 'producer', exp: Math.floor(Date.now() / 1000) + 600 });
    await expect(identify(`Bearer ${token}`)).resolves.toEqual({ kind: 'producer', siret });
  });
});
