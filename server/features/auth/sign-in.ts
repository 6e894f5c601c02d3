import type { FastifyRequest } from 'fastify';

/** Starts a signed-in session for the user. */
export async function signIn(request: FastifyRequest, organizationId: string, userId: string) {
  // A new session id at every login: a session fixed before login is worth nothing after it.
  await request.session.regenerate();
  request.session.organizationId = organizationId;
  request.session.userId = userId;
}
