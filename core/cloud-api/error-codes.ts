/**
 * Meta's error codes for WhatsApp Cloud API sends, in words a workflow
 * builder can act on: what happened and what to do.
 *
 * Sources: developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 * and developers.facebook.com/docs/graph-api/guides/error-handling. Meta
 * reports some of these in the answer to the send request and others later,
 * in a `failed` status webhook (`statuses[].errors[]`): `explainMetaError`
 * takes either shape.
 */
import type { MetaGraphError } from './types';

export interface MetaErrorInfo {
	/** Meta's short name for the error. */
	title: string;
	/** What happened, in plain words. */
	explanation: string;
	/** What the user can do about it. */
	whatToDo: string;
	/** True when sending the same request again later can succeed (rate limits, outages). */
	retryable: boolean;
}

const TOKEN_FIX =
	"Create a new permanent token (Meta Business Settings > System Users > Generate token, with the whatsapp_business_messaging permission) and paste it into the 'Meta WhatsApp Cloud API' credential.";

/** Known codes. Codes outside the table fall back to their range (see `explainMetaError`). */
export const META_ERROR_CODES: Readonly<Record<number, MetaErrorInfo>> = {
	0: {
		title: 'AuthException',
		explanation: 'Meta could not authenticate the request: the access token has expired, was revoked, or its user changed settings.',
		whatToDo: TOKEN_FIX,
		retryable: false,
	},
	1: {
		title: 'API Unknown',
		explanation: 'Meta could not process the request, possibly because of a temporary problem on its side.',
		whatToDo: 'Try again in a few minutes; check developers.facebook.com/status if it persists.',
		retryable: true,
	},
	2: {
		title: 'API Service',
		explanation: 'Meta’s API is temporarily unavailable.',
		whatToDo: 'Try again in a few minutes; check developers.facebook.com/status if it persists.',
		retryable: true,
	},
	3: {
		title: 'API Method',
		explanation: 'The app behind the access token lacks the capability or permission for this call.',
		whatToDo: 'Check the token with Meta’s Access Token Debugger and give the app the whatsapp_business_messaging permission.',
		retryable: false,
	},
	4: {
		title: 'Too many calls',
		explanation: 'The app has reached its API call rate limit.',
		whatToDo: 'Send fewer messages per minute (for example with a Wait node or smaller batches) and try again later.',
		retryable: true,
	},
	10: {
		title: 'Permission denied',
		explanation: 'The access token does not have permission for this phone number or the permission was revoked.',
		whatToDo:
			'Give the System User access to the WhatsApp Business Account (Business Settings > System Users > Assign assets) and make sure the token has whatsapp_business_messaging.',
		retryable: false,
	},
	100: {
		title: 'Invalid parameter',
		explanation: 'Meta refused a parameter of the request (a misspelled or unsupported value, or a wrong Phone Number ID).',
		whatToDo: 'Read Meta’s details below, fix that parameter in the node or the credential, and send again.',
		retryable: false,
	},
	190: {
		title: 'Access token has expired',
		explanation: 'The access token in the credential has expired or is no longer valid.',
		whatToDo: TOKEN_FIX,
		retryable: false,
	},
	368: {
		title: 'Temporarily blocked for policies violations',
		explanation: 'Meta has temporarily blocked this WhatsApp Business Account from sending for violating its policies.',
		whatToDo:
			'Stop sending for now and open WhatsApp Manager > Account quality to see the violation and request a review. Sending more may extend the block.',
		retryable: false,
	},
	80007: {
		title: 'Rate limit issues',
		explanation: 'The WhatsApp Business Account has reached its rate limit.',
		whatToDo: 'Slow down: send fewer messages per second and try again later.',
		retryable: true,
	},
	130429: {
		title: 'Rate limit hit',
		explanation: 'The phone number has reached its throughput limit (messages per second).',
		whatToDo: 'Send fewer messages per second (add a Wait node between batches) and try again shortly.',
		retryable: true,
	},
	130472: {
		title: "User's number is part of an experiment",
		explanation: 'Meta did not deliver this marketing message because the recipient is part of a Meta experiment.',
		whatToDo: 'Nothing to fix on your side; reach this person another way or later.',
		retryable: false,
	},
	130497: {
		title: 'Business account is restricted from messaging users in this country',
		explanation: 'This WhatsApp Business Account may not message people in the recipient’s country.',
		whatToDo: 'Check your business’s eligibility for that country in WhatsApp Manager, or contact the person another way.',
		retryable: false,
	},
	131000: {
		title: 'Something went wrong',
		explanation: 'The message could not be sent because of an unknown error at Meta.',
		whatToDo: 'Try again; if it keeps failing, contact Meta support with the fbtrace_id below.',
		retryable: true,
	},
	131005: {
		title: 'Access denied',
		explanation: 'The access token lacks permission to send from this phone number.',
		whatToDo: 'Make sure the token has whatsapp_business_messaging and the System User is assigned to this WhatsApp Business Account.',
		retryable: false,
	},
	131008: {
		title: 'Required parameter is missing',
		explanation: 'The request lacks a parameter Meta requires.',
		whatToDo: 'Fill in every required field of the node (for a template: its name, language and all its variables).',
		retryable: false,
	},
	131009: {
		title: 'Parameter value is not valid',
		explanation: 'One of the values sent is not valid (for example the phone number or a template value).',
		whatToDo:
			'Check the recipient number (with its country code) and the values in the node, then send again. For a reaction: react only to a message the customer sent in the last 30 days, in this chat, that is not deleted and not itself a reaction.',
		retryable: false,
	},
	131016: {
		title: 'Service unavailable',
		explanation: 'A Meta service is temporarily unavailable.',
		whatToDo: 'Try again in a few minutes; check developers.facebook.com/status if it persists.',
		retryable: true,
	},
	131021: {
		title: 'Recipient cannot be sender',
		explanation: 'The recipient is the business phone number itself.',
		whatToDo: 'Send to a different number than the one in the credential.',
		retryable: false,
	},
	131026: {
		title: 'Message undeliverable',
		explanation:
			'WhatsApp could not deliver the message: the number may not be on WhatsApp, may run an old WhatsApp version, may not have accepted WhatsApp’s latest terms, or may have blocked your business.',
		whatToDo: 'Check that the number is on WhatsApp (with its country code) and reach the person another way if it keeps failing. Do not retry in a loop.',
		retryable: false,
	},
	131030: {
		title: 'Recipient phone number not in allowed list',
		explanation: 'While the app is in development, or with Meta’s test number, messages can only go to numbers on the allowed list.',
		whatToDo:
			'Add the number to the allowed list (WhatsApp > API Setup > To > Manage phone number list) or switch the app to Live with a registered business number.',
		retryable: false,
	},
	131031: {
		title: 'Account has been locked',
		explanation: 'The WhatsApp Business Account is locked, for a policy violation or because data could not be verified.',
		whatToDo: 'Open WhatsApp Manager > Account quality to see why and request a review.',
		retryable: false,
	},
	131037: {
		title: 'WhatsApp provided number needs display name approval',
		explanation: 'The business phone number’s display name has not been approved yet.',
		whatToDo: 'Wait for the display name approval in WhatsApp Manager (or edit the name and resubmit it), then send again.',
		retryable: false,
	},
	131042: {
		title: 'Business eligibility payment issue',
		explanation: 'Meta could not charge for the message: no valid payment method, a credit line over its limit, or a deactivated account.',
		whatToDo: 'Fix the payment method in WhatsApp Manager > Payment settings (Meta Business Suite), then send again.',
		retryable: false,
	},
	131044: {
		title: 'No payment method',
		explanation: 'No valid payment method is attached to the WhatsApp Business Account.',
		whatToDo: 'Add a payment method in WhatsApp Manager > Payment settings, then send again.',
		retryable: false,
	},
	131045: {
		title: 'Incorrect certificate',
		explanation: 'The business phone number is not registered with the Cloud API (or its certificate is wrong).',
		whatToDo: 'Register the phone number with the Cloud API (POST /{phone-number-id}/register) or finish its setup in WhatsApp Manager.',
		retryable: false,
	},
	131047: {
		title: 'Re-engagement message',
		explanation:
			'More than 24 hours have passed since the customer last replied, so WhatsApp only accepts an approved template message to this person now.',
		whatToDo: 'Send an approved template instead (Message Type: Template); free-form text is possible again once the customer replies.',
		retryable: false,
	},
	131048: {
		title: 'Spam rate limit hit',
		explanation: 'Meta is limiting this number because many recipients blocked it or reported its messages as spam.',
		whatToDo: 'Slow down, send only to people who expect your messages, and check the quality rating in WhatsApp Manager.',
		retryable: true,
	},
	131049: {
		title: 'Meta chose not to deliver',
		explanation: 'Meta did not deliver this marketing message to keep WhatsApp engaging (the person received many marketing messages recently).',
		whatToDo: 'Do not retry at once: try again much later (a day or more), or use a utility template if the message is not marketing.',
		retryable: false,
	},
	131050: {
		title: 'User has stopped marketing messages',
		explanation: 'The recipient has chosen to stop receiving marketing messages from your business.',
		whatToDo: 'Do not send marketing messages to this person; record the opt-out in the CRM.',
		retryable: false,
	},
	131051: {
		title: 'Unsupported message type',
		explanation: 'WhatsApp does not support this message type for this recipient.',
		whatToDo: 'Send a text or template message instead.',
		retryable: false,
	},
	131052: {
		title: 'Media download error',
		explanation: 'Meta could not download the media of the message.',
		whatToDo: 'Check that the media URL is public and reachable, then send again.',
		retryable: true,
	},
	131053: {
		title: 'Media upload error',
		explanation: 'Meta could not process the uploaded media.',
		whatToDo: 'Check the media type and size against WhatsApp’s limits, then send again.',
		retryable: false,
	},
	131056: {
		title: '(Business Account, Consumer Account) pair rate limit hit',
		explanation: 'Too many messages went to this same recipient from your number in a short time.',
		whatToDo: 'Wait before messaging this person again (a minute or more); do not retry in a loop.',
		retryable: true,
	},
	131057: {
		title: 'Account in maintenance mode',
		explanation: 'The WhatsApp Business Account is in maintenance mode (for example during a throughput upgrade).',
		whatToDo: 'Try again in a few minutes.',
		retryable: true,
	},
	132000: {
		title: 'Template param count mismatch',
		explanation: 'The number of body variables (or of header and button parameters) sent does not match the number of {{n}} placeholders in the approved template.',
		whatToDo:
			'Give exactly one Body Variable per {{n}} in the template’s body, in order ({{1}} first), and the header and button parameters the template has (Header, Buttons), as WhatsApp Manager > Message Templates shows them.',
		retryable: false,
	},
	132001: {
		title: 'Template does not exist',
		explanation: 'No approved template has this name in this language for this WhatsApp Business Account.',
		whatToDo:
			'Copy the exact template name and its language code (such as en_US) from WhatsApp Manager > Message Templates, and check that the template is approved.',
		retryable: false,
	},
	132005: {
		title: 'Template hydrated text too long',
		explanation: 'With the variables filled in, the template’s text is longer than WhatsApp allows.',
		whatToDo: 'Use shorter values for the body variables.',
		retryable: false,
	},
	132007: {
		title: 'Template format character policy violated',
		explanation: 'A variable’s value breaks WhatsApp’s formatting rules for templates.',
		whatToDo: 'Remove line breaks, tabs, long runs of spaces and unusual formatting from the body variables.',
		retryable: false,
	},
	132012: {
		title: 'Template parameter format mismatch',
		explanation: 'A variable’s value does not have the format the template expects.',
		whatToDo: 'Check each Body Variable against the template’s sample values in WhatsApp Manager.',
		retryable: false,
	},
	132015: {
		title: 'Template is paused',
		explanation: 'Meta paused this template because of its low quality rating.',
		whatToDo: 'Edit the template in WhatsApp Manager to improve it, or use another approved template.',
		retryable: false,
	},
	132016: {
		title: 'Template is disabled',
		explanation: 'Meta disabled this template after repeated pauses for low quality.',
		whatToDo: 'Create a new template in WhatsApp Manager and use it instead.',
		retryable: false,
	},
	133004: {
		title: 'Server temporarily unavailable',
		explanation: 'Meta’s server is temporarily unavailable.',
		whatToDo: 'Try again in a few minutes.',
		retryable: true,
	},
	133010: {
		title: 'Phone number not registered',
		explanation: 'The business phone number is not registered on the WhatsApp Business Platform.',
		whatToDo: 'Register the phone number (WhatsApp Manager, or POST /{phone-number-id}/register), then send again.',
		retryable: false,
	},
};

/** Meta's graph subcode 33 under code 100: the object in the URL does not exist or the token cannot see it. */
const UNKNOWN_OBJECT_SUBCODE = 33;

export interface ExplainedMetaError extends MetaErrorInfo {
	code: number | null;
	subcode: number | null;
	/** Meta's own message, such as `(#131047) Re-engagement message`. */
	metaMessage: string | null;
	/** Meta's `error_data.details`, when given. */
	details: string | null;
	/** Meta's trace id, to quote when contacting Meta support. */
	fbtraceId: string | null;
	/** Whether the code is in the table (otherwise a generic explanation by range). */
	known: boolean;
}

/** Anything that looks like a Meta error: the Graph envelope's `error`, or a status webhook's `errors[]` entry. */
export interface MetaErrorLike {
	code?: unknown;
	error_subcode?: unknown;
	message?: unknown;
	title?: unknown;
	error_data?: unknown;
	fbtrace_id?: unknown;
}

/** The explanation for a Meta error (from a send response or a `failed` status). Never throws. */
export function explainMetaError(error: MetaErrorLike | null | undefined): ExplainedMetaError {
	const code = integerOrNull(error?.code);
	const subcode = integerOrNull(error?.error_subcode);
	const metaMessage = stringOrNull(error?.message) ?? stringOrNull(error?.title);
	const data = error?.error_data;
	const details =
		typeof data === 'string' ? stringOrNull(data) : data && typeof data === 'object' ? stringOrNull((data as { details?: unknown }).details) : null;
	const base = { code, subcode, metaMessage, details, fbtraceId: stringOrNull(error?.fbtrace_id) };

	if (code === 100 && subcode === UNKNOWN_OBJECT_SUBCODE) {
		return {
			...base,
			known: true,
			title: 'Phone Number ID not found',
			explanation: 'Meta does not know the Phone Number ID in the credential, or the access token has no access to it.',
			whatToDo:
				"Copy the Phone Number ID (not the phone number) from WhatsApp Manager > API Setup into the 'Meta WhatsApp Cloud API' credential, and make sure the token's System User is assigned to that WhatsApp Business Account.",
			retryable: false,
		};
	}
	const info = code !== null ? META_ERROR_CODES[code] : undefined;
	if (info) return { ...base, ...info, known: true };
	return { ...base, ...fallback(code), known: false };
}

function fallback(code: number | null): MetaErrorInfo {
	if (code !== null && code >= 200 && code <= 299) {
		return {
			title: 'API Permission',
			explanation: 'The access token lacks a permission this call needs, or it was revoked.',
			whatToDo: TOKEN_FIX,
			retryable: false,
		};
	}
	if (code !== null && code >= 132000 && code < 133000) {
		return {
			title: 'Template error',
			explanation: 'Meta refused the template message.',
			whatToDo: 'Check the template’s name, language and variables against WhatsApp Manager > Message Templates.',
			retryable: false,
		};
	}
	return {
		title: 'WhatsApp Cloud API error',
		explanation: 'Meta refused the message.',
		whatToDo: 'Read Meta’s message below; look the code up at developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes.',
		retryable: false,
	};
}

/** The `error` object of Meta's envelope `{ error: { message, type, code, … } }`, or null when the body is not one. */
export function parseMetaErrorBody(body: unknown): MetaGraphError | null {
	if (!body || typeof body !== 'object') return null;
	const error = (body as { error?: unknown }).error;
	if (!error || typeof error !== 'object') return null;
	const code = integerOrNull((error as { code?: unknown }).code);
	if (code === null) return null;
	return { ...(error as MetaGraphError), code };
}

/**
 * One sentence pair for a person: the explanation and what to do, e.g.
 * "More than 24 hours have passed … Send an approved template instead …".
 */
export function describeMetaError(explained: ExplainedMetaError): string {
	return `${explained.explanation} ${explained.whatToDo}`;
}

function integerOrNull(value: unknown): number | null {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
	return null;
}

function stringOrNull(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}
