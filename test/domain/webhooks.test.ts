/** The webhook rules (domain/webhooks.ts) and our signature against the `standardwebhooks` package's own. */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { nextWebhookAttemptAt, webhookSecretProblem, webhookUrlProblem, WEBHOOK_SECRET_PATTERN } from '../../domain/webhooks';
import { webhookSignature } from '../../activities/webhooks';
import { createSecretBox } from '../../lib/secret-box';

const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

describe('webhook rules', () => {
  it('When a secret is checked, then whsec_ + base64 of 24 to 64 bytes passes and the pattern agrees', () => {
    for (const bytes of [24, 25, 26, 32, 63, 64]) {
      const secret = secretOf(bytes);
      expect(webhookSecretProblem(secret)).toBeNull();
      expect(WEBHOOK_SECRET_PATTERN.test(secret)).toBe(true);
    }
    expect(webhookSecretProblem(secretOf(23))).toMatch(/this one has 23/);
    expect(webhookSecretProblem(secretOf(65))).toMatch(/this one has 65/);
    expect(webhookSecretProblem(secretOf(32).replace('whsec_', ''))).toMatch(/must start with "whsec_"/);
    expect(webhookSecretProblem('whsec_' + 'A'.repeat(33))).toMatch(/base64/);
    expect(webhookSecretProblem('whsec_')).toMatch(/base64/);
  });

  it('When a URL is checked, then production wants https and development allows plain http to loopback only', () => {
    expect(webhookUrlProblem('https://agrilocal.example/hooks', true)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hooks', true)).toMatch(/https in production/);
    expect(webhookUrlProblem('http://localhost:8080/hooks', true)).toMatch(/https in production/);
    for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost/hooks', 'http://[::1]:9000/', 'https://agrilocal.example/']) {
      expect(webhookUrlProblem(url, false)).toBeNull();
    }
    expect(webhookUrlProblem('http://10.0.0.5/hooks', false)).toMatch(/loopback only/);
    expect(webhookUrlProblem('http://127.0.0.1.nip.io/hooks', false)).toMatch(/loopback only/);
    expect(webhookUrlProblem('ws://127.0.0.1/hooks', false)).toMatch(/https/);
    expect(webhookUrlProblem('https://agrilocal.example/hooks#x', false)).toMatch(/fragment/);
  });

  it('When deliveries keep failing, then waits double up to the maximum and the event is given up after 3 days', () => {
    const schedule = { initialMs: 5_000, maxIntervalMs: 3_600_000, retryForMs: 3 * 86_400_000 };
    const start = 0;
    let now = start;
    const waits: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const next = nextWebhookAttemptAt(schedule, attempts, start, now);
      if (next === null) break;
      waits.push(next - now);
      now = next;
    }
    expect(waits.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...waits)).toBe(3_600_000);
    expect(now - start).toBeLessThanOrEqual(schedule.retryForMs);
    expect(now - start).toBeGreaterThan(schedule.retryForMs - schedule.maxIntervalMs);
  });

  it('When we sign, then the standardwebhooks package computes the same signature and verifies it', () => {
    const secret = secretOf(32);
    const body = JSON.stringify({ type: 'invoice.status_changed', timestamp: '2026-12-02T10:00:00.000Z', data: { invoiceId: 'x', label: 'Carottes — 12,5 kg' } });
    const at = new Date();
    const timestamp = Math.floor(at.getTime() / 1000);
    const ours = webhookSignature(secret, 'msg_1', timestamp, body);
    expect(ours).toBe(new Webhook(secret).sign('msg_1', at, body));
    expect(() => new Webhook(secret).verify(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': ours })).not.toThrow();
  });

  it('When a secret is sealed, then it opens only with the same key and the sealed text does not show it', () => {
    const box = createSecretBox('k'.repeat(32));
    const secret = secretOf(32);
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
    expect(box.seal(secret)).not.toBe(sealed);
    expect(() => createSecretBox('j'.repeat(32)).open(sealed)).toThrow();
  });
});
