import { CloudApiInputError } from '../../../../core/cloud-api';

/** The CloudApiInputError a core builder throws (a test failure when it throws nothing or something else). */
export function inputErrorOf(build: () => unknown): CloudApiInputError {
	try {
		build();
	} catch (error) {
		if (error instanceof CloudApiInputError) return error;
		throw error;
	}
	throw new Error('expected a CloudApiInputError');
}
