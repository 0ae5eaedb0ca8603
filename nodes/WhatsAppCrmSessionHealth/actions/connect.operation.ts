/**
 * Start (or connect) a session. While the phone is not linked yet, the
 * sidecar answers with a QR code: the item carries it as text and as a data
 * URL, and as a PNG image in the binary property `qr`, so an n8n Form or an
 * email can show it to the user to scan.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { executeItems } from '../../shared/execute-items';
import { unexpectedSidecarResponse } from '../../shared/sidecar-errors';
import { startSession } from '../../shared/sidecar-client';
import { sessionIdProperty } from './common.descriptions';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/;

const properties: INodeProperties[] = [
	{
		displayName:
			'While the phone is not linked, the output holds the QR code to scan (WhatsApp on the phone > Settings > Linked Devices > Link a Device): as a PNG image in the binary property "qr", and as qrDataUrl for an HTML page or a Form. If state is "starting", run the node again in a few seconds; lastError says why an earlier start failed (e.g. whatsapp_web_unreachable).',
		name: 'connectNotice',
		type: 'notice',
		default: '',
	},
	sessionIdProperty,
];

export const description = updateDisplayOptions({ show: { operation: ['connect'] } }, properties);

/** The PNG bytes of a `data:image/png;base64,…` URL, or null when it is not one. */
export function pngFromDataUrl(dataUrl: string): Buffer | null {
	const match = PNG_DATA_URL.exec(dataUrl.trim());
	if (!match) return null;
	const bytes = Buffer.from(match[1] as string, 'base64');
	return bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ? bytes : null;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	return await executeItems(this, items, async (itemIndex) => {
		const session = await startSession(this, itemIndex, this.getNodeParameter('sessionId', itemIndex));
		const json: IDataObject = {
			sessionId: session.sessionId,
			state: session.state,
			qr: session.qr,
			qrDataUrl: session.qrDataUrl,
			linkedPhone: session.linkedPhone,
			// Why the last start failed ({ code, message, at }), e.g. whatsapp_web_unreachable: the sidecar cannot load WhatsApp Web.
			lastError: (session.lastError ?? null) as IDataObject | null,
		};
		if (!session.qrDataUrl) return [{ json }];
		const png = pngFromDataUrl(session.qrDataUrl);
		if (!png) throw unexpectedSidecarResponse(this.getNode(), 'qrDataUrl is not a PNG data URL', itemIndex);
		const qr = await this.helpers.prepareBinaryData(png, `whatsapp-qr-${session.sessionId}.png`, 'image/png');
		return [{ json, binary: { qr } }];
	});
}
