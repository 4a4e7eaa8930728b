/**
 * The SIP stack's public surface for the switch (docs/sip.md, "API for the switch"). Everything else under
 * src/sip is internal and may change.
 */
export { SipStack, type SipStackOptions, type OutgoingRequestOptions, type IncomingInviteHandler, type IncomingRequestHandler, type SipStackCounters } from './sip-stack.js';
export { IncomingInvite, type AnswerOptions } from './user-agent/incoming-invite.js';
export { OutgoingInvite, type InviteResult } from './user-agent/outgoing-invite.js';
export { IncomingRequest } from './user-agent/incoming-request.js';
export { InviteSession, type SessionEndReason, type InDialogRequestOptions, type InDialogRequestHandler } from './dialog/invite-session.js';
export { storedDialogOf, sendStoredBye, type StoredDialog } from './dialog/stored-dialog.js';
export { Registrar, type RegistrarOptions, type ReachableContact } from './registrar/registrar.js';
export { MemoryBindingStore, type Binding, type BindingStore } from './registrar/binding-store.js';
export { OutboundRegistration, type OutboundRegistrationOptions, type RegistrationState } from './registration/outbound-registration.js';
export { DigestAuthenticator, type SipCredentialLookup, type SipCredentials, type AuthResult } from './auth/digest-authenticator.js';
export type { DigestAlgorithm } from './auth/digest.js';
export type { Destination, TransportProtocol, TransportCounters } from './transport/transport-types.js';
export { isStream } from './transport/transport-types.js';
export type { TlsCredentials } from './transport/tls-transport.js';
export type { WebSocketChannel, WebSocketChannelEvents } from './transport/ws-transport.js';
export type { SipRequest, SipResponse, SipMessage } from './message/sip-message.js';
export type { TimerSettings, Clock } from './transaction/clock.js';
export { SipParseError, SipLimitError, SipTransportError, InvalidStateError, SipRequestError, SipStackClosedError } from './errors.js';
export { parseNameAddr } from './message/name-addr.js';
