/** Send a pin on the map (latitude, longitude, optional name and address) through either source. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { buildLocationMessageBody } from '../../../core/cloud-api/message-bodies';
import { buildCloudApiOutboundEvent } from '../../../core/cloud-api/outbound-event';
import type { MessageLocation } from '../../../core/events/types';
import { toChatJid } from '../../../core/phone/e164';
import { getCloudApiConfig, sendCloudApiMessage } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { sendLocationMessage } from '../../shared/sidecar-client';
import { fromCore, replyToOf } from '../helpers/core-input';
import { recipientOf } from '../helpers/recipient';
import { toProperty } from './common.descriptions';

const properties: INodeProperties[] = [
	toProperty,
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'string',
		default: '',
		required: true,
		placeholder: '-23.5614',
		description: 'In decimal degrees, from -90 (south) to 90 (north), as Google Maps shows it when you click a place',
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'string',
		default: '',
		required: true,
		placeholder: '-46.6559',
		description: 'In decimal degrees, from -180 (west) to 180 (east)',
	},
	{
		displayName: 'Place Name',
		name: 'locationName',
		type: 'string',
		default: '',
		placeholder: 'Our store on Avenida Paulista',
		description: 'Shown above the map (optional)',
	},
	{
		displayName: 'Address',
		name: 'address',
		type: 'string',
		default: '',
		placeholder: 'Av. Paulista, 1578 - Bela Vista, São Paulo',
		description: 'Shown under the name (optional)',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['sendLocation'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const source = this.getNodeParameter('source', 0) as string;
	return await executeItems(this, items, async (itemIndex) => {
		const { options, to } = recipientOf(this, itemIndex);
		const replyToMessageId = replyToOf(node, options, itemIndex);
		// The core checks the coordinates (and the rest) for both sources, before anything is sent.
		const body = fromCore(node, itemIndex, () =>
			buildLocationMessageBody({
				to,
				latitude: this.getNodeParameter('latitude', itemIndex, '') as number,
				longitude: this.getNodeParameter('longitude', itemIndex, '') as number,
				name: String(this.getNodeParameter('locationName', itemIndex, '') ?? ''),
				address: String(this.getNodeParameter('address', itemIndex, '') ?? ''),
				replyToMessageId,
			}),
		);
		const location = body.location as unknown as IDataObject;

		if (source === 'cloudApi') {
			const config = await getCloudApiConfig(this, itemIndex);
			const sent = await sendCloudApiMessage(this, itemIndex, config, body);
			const event = buildCloudApiOutboundEvent({ phoneNumberId: config.phoneNumberId, messageId: sent.messageId, to, waId: sent.waId, kind: 'location', text: null, replyToMessageId, location: eventLocation(body.location) });
			return [{ json: { messageId: sent.messageId, to, source: 'cloud_api', sessionId: config.phoneNumberId, waId: sent.waId, location, event: event as unknown as IDataObject } }];
		}

		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		const sent = await sendLocationMessage(this, itemIndex, sessionId, {
			to: toChatJid(to),
			...body.location,
			...(replyToMessageId ? { quotedMessageId: replyToMessageId } : {}),
		});
		return [{ json: { messageId: sent.messageId, to, source: 'sidecar', sessionId: String(sessionId).trim(), location, event: sent.event as IDataObject | null } }];
	});
}

/** The location as the outbound event carries it (docs/events.md): Meta's body leaves out what is empty. */
function eventLocation(location: { latitude: number; longitude: number; name?: string; address?: string }): MessageLocation {
	return { latitude: location.latitude, longitude: location.longitude, name: location.name ?? null, address: location.address ?? null, url: null };
}
