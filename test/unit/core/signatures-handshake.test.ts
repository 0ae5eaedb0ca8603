/** Meta's GET verification handshake. */
import { answerMetaHandshake } from '../../../core/signatures';

const TOKEN = 'my-verify-token';
const query = (overrides: Record<string, unknown> = {}) => ({
	'hub.mode': 'subscribe',
	'hub.verify_token': TOKEN,
	'hub.challenge': '1158201444',
	...overrides,
});

describe('answerMetaHandshake', () => {
	it('answers 200 with the bare challenge for the right token', () => {
		expect(answerMetaHandshake(query(), TOKEN)).toEqual({ status: 200, body: '1158201444' });
	});

	it('reads query keys the way express parses them from a real query string', () => {
		const parsed = Object.fromEntries(new URLSearchParams(`hub.mode=subscribe&hub.challenge=42&hub.verify_token=${TOKEN}`));
		expect(answerMetaHandshake(parsed, TOKEN)).toEqual({ status: 200, body: '42' });
	});

	it('accepts the nested form some parsers produce ({ hub: { mode } })', () => {
		expect(answerMetaHandshake({ hub: { mode: 'subscribe', verify_token: TOKEN, challenge: '7' } }, TOKEN)).toEqual({ status: 200, body: '7' });
	});

	it.each([
		['a wrong token', query({ 'hub.verify_token': 'my-verify-tokeN' })],
		['a token that is a prefix', query({ 'hub.verify_token': 'my-verify' })],
		['a missing token', query({ 'hub.verify_token': undefined })],
		['a wrong mode', query({ 'hub.mode': 'unsubscribe' })],
		['a missing mode', query({ 'hub.mode': undefined })],
		['a missing challenge', query({ 'hub.challenge': undefined })],
		['an empty challenge', query({ 'hub.challenge': '' })],
		['a repeated token (array)', query({ 'hub.verify_token': [TOKEN, TOKEN] })],
		['an empty query', {}],
	])('answers 403 for %s', (_label, q) => {
		const answer = answerMetaHandshake(q, TOKEN);
		expect(answer.status).toBe(403);
		expect(answer.body).not.toContain(TOKEN);
		expect(answer.body).not.toBe('1158201444');
	});

	it('answers 403 when no token is configured, even if the request sends an empty one', () => {
		expect(answerMetaHandshake(query({ 'hub.verify_token': '' }), '')).toMatchObject({ status: 403, body: 'No verify token is configured.' });
	});

	it('gives distinct reasons', () => {
		const bodies = new Set([
			answerMetaHandshake(query(), '').body,
			answerMetaHandshake(query({ 'hub.mode': 'x' }), TOKEN).body,
			answerMetaHandshake(query({ 'hub.verify_token': 'x' }), TOKEN).body,
			answerMetaHandshake(query({ 'hub.challenge': undefined }), TOKEN).body,
		]);
		expect(bodies.size).toBe(4);
	});
});
