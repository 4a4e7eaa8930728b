/**
 * The success answers of the voice API (spec bandwidth §0): exactly 200, 201 or 202 — published clients
 * raise anything else, 204 included, as an error. A create is 201 with `Location` (clients take the new id
 * from its last segment); an update or delete is 200 with an empty body.
 */
import type { FastifyReply } from 'fastify';
import type { VoiceControl, VoiceResult } from '../../switch/voice/voice-control.js';
import { refusalError, voiceErrorReplies, voiceUnavailable } from './voice-error.js';

/** Response schemas of a route answering 200 with an empty body. */
export const emptyOk = { 200: { description: 'empty body: done (never 204, spec bandwidth §0)', type: 'null' }, ...voiceErrorReplies } as const;

/** Response schemas of a create: 201, empty body, `Location` naming the new resource. */
export const created = { 201: { description: 'empty body; Location is the new resource (its id is the last segment)', type: 'null' }, ...voiceErrorReplies } as const;

/** Response schemas of a read. */
export const ok = (schema: object) => ({ 200: schema, ...voiceErrorReplies });
export const okList = (item: object) => ok({ type: 'array', items: item });

export function sendCreated(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(201).header('Location', location).send();
}

export function sendOk(reply: FastifyReply): FastifyReply {
  return reply.code(200).send();
}

/** The switch, or 503 `unavailable` when this server runs without it. */
export function needVoice(voice: VoiceControl | undefined): VoiceControl {
  if (!voice) throw voiceUnavailable();
  return voice;
}

/** The switch's value, or its refusal thrown as the family's error. */
export function valueOf<T>(r: VoiceResult<T>): T {
  if (!r.ok) throw refusalError(r);
  return r.value;
}
