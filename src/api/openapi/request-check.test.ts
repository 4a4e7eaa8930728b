/**
 * The request checker refuses what the document refuses — so the tests that find no problem with the
 * documentation's examples and the REST tests' requests are worth something — and takes the voice family's
 * lenient values as that family's server does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiChecker } from './documented-requests.js';

test('a documented request passes; an unknown route, method, field, type, enum or media type does not', async () => {
  const c = await apiChecker();
  const ok = (r: Parameters<typeof c.problems>[0]) => assert.deepEqual(c.problems(r), [], `${r.method} ${r.url}`);
  const refused = (r: Parameters<typeof c.problems>[0], pattern: RegExp) => assert.match(c.problems(r).join('\n'), pattern, `${r.method} ${r.url}`);
  ok({ method: 'POST', url: '/webhooks', body: { url: 'https://crm.test/h', dialect: 'teltel', events: ['START'] } });
  refused({ method: 'POST', url: '/webhooks', body: { url: 'https://crm.test/h', dialect: 'teltel', colour: 'red' } }, /body must NOT have additional properties 'colour'/);
  refused({ method: 'POST', url: '/webhooks', body: { url: 'https://crm.test/h', dialect: 'smtp' } }, /body\/dialect must be equal to one of the allowed values/);
  refused({ method: 'POST', url: '/webhooks', body: { dialect: 'teltel' } }, /must have required property 'url'/);
  refused({ method: 'GET', url: '/events?limit=0' }, /query limit must be >= 1/);
  refused({ method: 'POST', url: '/nowhere', body: {} }, /no such operation/);
  refused({ method: 'PATCH', url: '/webhooks/crm', body: {} }, /no such operation/);
  refused({ method: 'POST', url: '/webhooks', contentType: 'text/plain', body: 'x' }, /takes application\/json, not text\/plain/);
  // The voice family: strings for booleans and numbers, enum values in any case, as its server takes them.
  ok({ method: 'POST', url: '/v1/users/u-demo/applications', body: { name: 'IVR', incomingCallUrl: 'https://a.test/c', incomingCallUrlCallbackTimeout: '5000', callbackHttpMethod: 'get', autoAnswer: 'false' } });
  ok({ method: 'GET', url: '/v1/users/u-demo/calls?sortOrder=ASC&page=0&size=25' });
  refused({ method: 'POST', url: '/v1/users/u-demo/applications', body: { name: 'IVR', incomingCallUrl: 'https://a.test/c', autoAnswer: 'maybe' } }, /autoAnswer must be boolean/);
  refused({ method: 'POST', url: '/v1/users/u-demo/calls', body: { from: '+15550104', to: '+15557654321', sipHeaders: {} } }, /additional properties 'sipHeaders'/);
  // The most specific template wins, as in the router: /media/tr-… is the transcription text.
  assert.equal(c.operation('GET', '/v1/users/u-demo/media/tr-77q4')?.template, '/v1/users/{userId}/media/tr-{rest}');
  assert.equal(c.operation('GET', '/v1/users/u-demo/media/rec-2b8f.wav')?.template, '/v1/users/{userId}/media/{mediaName}');
  // Provider parameters may all be in the query: no body needed, and a form body is documented.
  ok({ method: 'POST', url: '/voice/originate?caller=1101&callee=8884507990' });
  ok({ method: 'POST', url: '/sms/send', contentType: 'application/x-www-form-urlencoded', body: { to_number: '5557654321', payload: 'hi' } });
});
