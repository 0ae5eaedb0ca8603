/** Errors the service raises on purpose; the HTTP layer turns them into `{ error: { code, message, field? } }`. */
export class SidecarError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'SidecarError';
	}
}

export const notFound = (code: string, message: string) => new SidecarError(404, code, message);
export const invalid = (field: string, message: string, code = 'invalid_input') => new SidecarError(422, code, message, field);
export const conflict = (code: string, message: string) => new SidecarError(409, code, message);
export const browserGone = () =>
	new SidecarError(503, 'browser_gone', "The session's browser is gone; start the session again (POST /sessions/:id).");
