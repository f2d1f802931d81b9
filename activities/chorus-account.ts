/**
 * The technical account's side of a deposit: may it deposit for this producer? One read (cached briefly by
 * SupplierAttachments), no remote change.
 */
import { SupplierAttachments, type ChorusClient } from '../chorus';

export interface AttachmentCheckInput {
  producerSiret: string;
}

export function createChorusAccountActivities(chorus: ChorusClient) {
  const attachments = new SupplierAttachments(chorus);
  return {
    async checkChorusAttachment(input: AttachmentCheckInput): Promise<{ attached: boolean }> {
      return { attached: await attachments.isAttached(input.producerSiret) };
    },
  };
}
