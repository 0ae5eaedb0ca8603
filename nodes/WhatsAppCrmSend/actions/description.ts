import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { sessionIdProperty } from '../../shared/session-id';
import { operationProperty, optionsProperty, sourceProperty } from './common.descriptions';
import * as markAsRead from './markAsRead.operation';
import * as react from './react.operation';
import * as sendLocation from './sendLocation.operation';
import * as sendMedia from './sendMedia.operation';
import * as sendViaCloudApi from './sendViaCloudApi.operation';
import * as sendViaSidecar from './sendViaSidecar.operation';

/** The node's parameters, in the order the editor shows them. */
export const sendProperties: INodeProperties[] = [
	sourceProperty,
	operationProperty,
	...updateDisplayOptions({ show: { source: ['sidecar'] } }, [
		sessionIdProperty('The id of the user whose WhatsApp sends the message: the id their phone was connected under.', { fromIncomingEvent: true }),
	]),
	...sendViaSidecar.description,
	...sendViaCloudApi.description,
	...sendMedia.description,
	...sendLocation.description,
	...react.description,
	...markAsRead.description,
	optionsProperty,
];
