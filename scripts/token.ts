/**
 * `npx tsx scripts/token.ts <SIRET> [ttl]`: prints a producer token (JWT HS256 signed with PRODUCER_JWT_SECRET,
 * sub = SIRET, role = producer), as the Agrilocal platform issues them. For development and the README.
 */
import { signProducerToken } from '../api/auth';
import { isSiret } from '../api/checks';
import { loadConfig } from '../config';
import { runMain, UserFacingError } from '../lib/main';

async function main(): Promise<void> {
  const [siret, ttl = '1h'] = process.argv.slice(2);
  if (!siret || !isSiret(siret)) throw new UserFacingError('usage: tsx scripts/token.ts <SIRET of the producer> [lifetime, e.g. 1h]');
  process.stdout.write(`${await signProducerToken(loadConfig().PRODUCER_JWT_SECRET, siret, { expiresIn: ttl })}\n`);
}

runMain(main);
