import type { INodeProperties } from 'n8n-workflow';
import { optionsProperty, sourceProperty } from './common.descriptions';
import * as sendViaCloudApi from './sendViaCloudApi.operation';
import * as sendViaSidecar from './sendViaSidecar.operation';

/** The node's parameters, in the order the editor shows them. */
export const sendProperties: INodeProperties[] = [
	sourceProperty,
	...sendViaSidecar.description,
	...sendViaCloudApi.description,
	optionsProperty,
];
