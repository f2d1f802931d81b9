/** domain/actions.ts: what completing a suspended invoice needs, one rule for the API schema and the workflow. */
import { completeIssues } from '../../domain/actions';

describe('completing a suspended invoice', () => {
  it('When there is neither an attachment nor a comment, then the attachments are named as missing', () => {
    expect(completeIssues({ attachmentCount: 0 })).toEqual([{ path: 'attachments', message: expect.stringContaining('missing documents') as string }]);
    expect(completeIssues({ comment: '', attachmentCount: 0 })).toHaveLength(1);
  });

  it('When there is an attachment, a comment or both, then there is no issue', () => {
    expect(completeIssues({ attachmentCount: 1 })).toEqual([]);
    expect(completeIssues({ comment: 'Bon de livraison signé envoyé par courrier', attachmentCount: 0 })).toEqual([]);
    expect(completeIssues({ comment: 'voir pièces', attachmentCount: 3 })).toEqual([]);
  });
});
