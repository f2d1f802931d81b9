/** domain/actions.ts: what completing a suspended invoice needs, and the French sentence of an out-of-state refusal. */
import { completeIssues, refusedActionMessage } from '../../domain/actions';

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

describe('an action refused in the state', () => {
  it('When an action is refused, then the French sentence names what cannot be done and the state, with Chorus when known', () => {
    expect(refusedActionMessage('COMPLETE', 'EN_ATTENTE_VALIDATION', null)).toBe(
      'La facture ne peut pas être complétée maintenant : la facture est « En attente de validation de la quantité livrée ».',
    );
    expect(refusedActionMessage('RECYCLE', 'DEPOSEE_CHORUS', 'DEPOSEE')).toMatch(/^La facture ne peut pas être recyclée maintenant : la facture est « .+ » \(Chorus : DEPOSEE\)\.$/);
    expect(refusedActionMessage('CANCEL', 'A_TRAITER', null)).toBe('Une commande ne peut être annulée qu’avant la création de sa facture : la facture est « À traiter ».');
  });
});
