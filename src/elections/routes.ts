// HTTP routes of the election calendar and the countdown every screen shows.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams, Uuid } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { ELECTION_KINDS } from './schema.js';
import { countdown, createElection, deleteElection, getElection, listElections } from './service.js';

export function electionRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/elections', {
    schema: {
      tags: ['elections'],
      summary: 'Elections that concern you (all of them for the operations center and partners)',
      querystring: Type.Object({ when: Type.Union([Type.Literal('upcoming'), Type.Literal('past'), Type.Literal('all')], { default: 'upcoming' }), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
    },
  }, async (request) => listElections(ctx, actorOf(request), request.query));

  app.get('/api/v1/elections/countdown', { schema: { tags: ['elections'], summary: 'The next election for your organisation, days left, and whether today is election day' } }, async (request) => countdown(ctx, actorOf(request)));

  app.post('/api/v1/elections', {
    schema: {
      tags: ['elections'],
      summary: 'Put an election on the calendar (operations center: anywhere; a state: its own state and offices)',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        kind: Type.Union(ELECTION_KINDS.map((k) => Type.Literal(k))),
        day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Election day, YYYY-MM-DD' }),
        jurisdictions: Type.Array(Uuid, { maxItems: 20000, default: [], description: 'States, territories, tribal nations or local offices voting; empty for nationwide' }),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(await createElection(ctx, actorOf(request), request.body)));

  app.get('/api/v1/elections/:id', { schema: { tags: ['elections'], summary: 'One election', params: IdParams } }, async (request) => getElection(ctx, actorOf(request), request.params.id));

  app.delete('/api/v1/elections/:id', { schema: { tags: ['elections'], summary: 'Remove an election from the calendar', params: IdParams } }, async (request, reply) => {
    await deleteElection(ctx, actorOf(request), request.params.id);
    return reply.status(204).send();
  });
}
