/** Bearer-key check in constant time: both sides are hashed first, so lengths never leak through timing. */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

export function createBearerCheck(apiKey: string): (authorization: string | string[] | undefined) => boolean {
	const expected = digest(apiKey);
	return (authorization) => {
		if (typeof authorization !== 'string') return false;
		const match = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
		if (!match) return false;
		return timingSafeEqual(digest((match[1] as string).trim()), expected);
	};
}
