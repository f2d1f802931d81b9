/** The workflow bundle's entry: every workflow the worker runs. */
export { invoiceWorkflow } from './invoice';
export { webhookDispatcher } from './webhook-dispatcher';
export { creditNoteWorkflow } from './credit-note';
export { chorusPasswordCheck } from './password-reminders';
export { chorusLifecycleSync } from './lifecycle-sync';
