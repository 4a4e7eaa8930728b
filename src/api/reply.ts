import type { FastifyReply } from 'fastify';

/** The `{success:false, error, message}` answer every REST family of the call-tracking dialect uses. */
export function fail(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ success: false, error, message });
}
