/** Which action nodes n8n offers to AI agents as tools (README: "The action nodes"). */
import { WhatsAppCrmBackfill } from '../../../nodes/WhatsAppCrmBackfill/WhatsAppCrmBackfill.node';
import { WhatsAppCrmDownloadMedia } from '../../../nodes/WhatsAppCrmDownloadMedia/WhatsAppCrmDownloadMedia.node';
import { WhatsAppCrmResolveContact } from '../../../nodes/WhatsAppCrmResolveContact/WhatsAppCrmResolveContact.node';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { WhatsAppCrmSessionHealth } from '../../../nodes/WhatsAppCrmSessionHealth/WhatsAppCrmSessionHealth.node';

test.each([
	['Send Message', new WhatsAppCrmSend(), true],
	['Backfill', new WhatsAppCrmBackfill(), true],
	// Its Disconnect deletes a session's login data: a person's decision.
	['Session Health', new WhatsAppCrmSessionHealth(), false],
	// A tool answers with the first output only: "Not a Contact" would reach the agent as nothing.
	['Resolve Contact', new WhatsAppCrmResolveContact(), false],
	// Its result is a file (binary data), which a tool's answer to an agent cannot carry.
	['Download Media', new WhatsAppCrmDownloadMedia(), false],
])('%s: usableAsTool is %p, said explicitly', (_name, node, usable) => {
	expect(Object.hasOwn(node.description, 'usableAsTool')).toBe(true);
	expect(Boolean(node.description.usableAsTool)).toBe(usable);
});
