/**
 * `npx tsx scripts/token.ts <SIRET> [ttl]`: prints a producer token (JWT HS256 signed with PRODUCER_JWT_SECRET,
 * sub = SIRET, role = producer), as the Agrilocal platform issues them. For development and the README.
 * `npx tsx scripts/token.ts --link <SIRET>`: prints a single-use sign-in link to the producer's web space (15
 * minutes), asked of the running API with the platform key as the Agrilocal backend does.
 */
import { signProducerToken } from '../api/auth';
import { isSiret } from '../api/checks';
import { loadConfig } from '../config';
import { runMain, UserFacingError } from '../lib/main';
import { requestLoginLink } from './lib/space';

const USAGE = 'usage: tsx scripts/token.ts <SIRET of the producer> [lifetime, e.g. 1h]\n       tsx scripts/token.ts --link <SIRET of the producer>';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const config = loadConfig();
  if (args[0] === '--link') {
    const siret = args[1];
    if (!siret || !isSiret(siret)) throw new UserFacingError(USAGE);
    const api = `http://127.0.0.1:${config.PORT}`;
    const link = await requestLoginLink(api, config.AGRILOCAL_API_KEY, siret).catch(() => {
      throw new UserFacingError(`The API does not answer on ${api}: start the stack with npm start first.`);
    });
    if ('error' in link) throw new UserFacingError(`No link for ${siret}: ${link.error}`);
    process.stdout.write(`${link.url}\n`);
    return;
  }
  const [siret, ttl = '1h'] = args;
  if (!siret || !isSiret(siret)) throw new UserFacingError(USAGE);
  process.stdout.write(`${await signProducerToken(config.PRODUCER_JWT_SECRET, siret, { expiresIn: ttl })}\n`);
}

runMain(main);
