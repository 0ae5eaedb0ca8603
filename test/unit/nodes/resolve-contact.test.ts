/**
 * The WhatsApp Resolve Contact node, executed the way n8n executes it: its
 * `execute` is called with an IExecuteFunctions built here, whose parameters
 * are the node's own defaults (or the test's values) evaluated by n8n's
 * expression engine against each input item, and whose Postgres credential
 * points at a throwaway database on the real PostgreSQL.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeParameterValue,
} from 'n8n-workflow';
import { Expression, NodeOperationError } from 'n8n-workflow';
import type { Pool } from 'pg';
import { buildMessageEvent, buildRemoteParty } from '../../../core/events';
import type { MessageEvent } from '../../../core/events/types';
import { WhatsAppCrmResolveContact } from '../../../nodes/WhatsAppCrmResolveContact/WhatsAppCrmResolveContact.node';
import { READ_NATIVELY } from '../../../nodes/WhatsAppCrmResolveContact/actions/resolve.operation';
import { closePostgresPools } from '../../../nodes/shared/postgres-connection';
import { createTestDatabase, type TestDatabase } from '../crm/test-database';

const node = new WhatsAppCrmResolveContact();
const expression = new Expression('UTC');
const NODE: INode = {
	id: 'a1b2c3d4-0000-4000-8000-000000000001',
	name: 'WhatsApp Resolve Contact',
	type: 'n8n-nodes-whatsapp-crm.whatsAppCrmResolveContact',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

let db: TestDatabase;
let pool: Pool;

/** n8n's Postgres credential as n8n decrypts it for the node. */
function credentialFor(database: TestDatabase, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		host: database.settings.host,
		port: database.settings.port,
		database: database.settings.database,
		user: database.settings.user,
		password: '',
		maxConnections: 100,
		allowUnauthorizedCerts: false,
		ssl: 'disable',
		sshTunnel: false,
		...overrides,
	};
}

interface Run {
	items: IDataObject[];
	parameters?: Record<string, unknown>;
	credentials?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
}

function defaultOf(name: string): unknown {
	return node.description.properties.find((property) => property.name === name)?.default;
}

function executeFunctions(run: Run): IExecuteFunctions {
	const items: INodeExecutionData[] = run.items.map((json) => ({ json }));
	const ctx = {
		getInputData: () => items,
		getNode: () => NODE,
		continueOnFail: () => run.continueOnFail === true,
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown, options?: { rawExpressions?: boolean }) {
			const raw = run.parameters && name in run.parameters ? run.parameters[name] : (defaultOf(name) ?? fallback);
			// Like n8n: rawExpressions hands back the expression itself, unevaluated.
			if (typeof raw === 'string' && raw.startsWith('=') && options?.rawExpressions !== true) {
				return expression.resolveSimpleParameterValue(raw as NodeParameterValue, { $json: items[itemIndex].json } as never);
			}
			return raw;
		},
		async getCredentials(type: string) {
			if (type !== 'postgres') throw new Error(`unexpected credential type ${type}`);
			return run.credentials ?? credentialFor(db);
		},
	};
	return ctx as unknown as IExecuteFunctions;
}

async function execute(run: Run): Promise<INodeExecutionData[][]> {
	return await node.execute.call(executeFunctions(run));
}

function inbound(rawId: string, extra: { name?: string | null; about?: string | null; phone?: string | null; id?: string } = {}): IDataObject {
	const remote = buildRemoteParty(rawId, extra);
	const event: MessageEvent = buildMessageEvent({
		sessionId: '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f',
		occurredAt: '2026-11-22T14:03:05.000Z',
		message: {
			messageId: extra.id ?? `false_${rawId}_3EB0${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
			direction: 'inbound',
			chatKind: remote.idKind === 'group' ? 'group' : 'direct',
			chatId: rawId,
			remote,
			kind: 'text',
			isMedia: false,
			rawType: 'chat',
			text: 'Olá, quero um orçamento',
			timestamp: '2026-11-22T14:03:05.000Z',
			origin: 'live',
			participant: null,
			contextMessageId: null,
		},
	});
	return event as unknown as IDataObject;
}

async function contactRows() {
	const { rows } = await pool.query('SELECT id, name, whatsapp_phone, phones, about, source FROM whatsapp_crm.contacts ORDER BY created_at, id');
	return rows;
}

beforeAll(async () => {
	db = await createTestDatabase({ migrated: true });
	pool = db.pool(4);
});
afterAll(async () => {
	await closePostgresPools();
	await db.drop();
});
beforeEach(async () => {
	await pool.query('TRUNCATE whatsapp_crm.interactions, whatsapp_crm.contacts');
});

describe('WhatsApp Resolve Contact: description', () => {
	it('has two named outputs, the Postgres credential and defaults that read the trigger event', () => {
		const { description } = node;
		expect(description).toMatchObject({ displayName: 'WhatsApp Resolve Contact', name: 'whatsAppCrmResolveContact', icon: { light: 'file:../../icons/whatsapp-crm-contact.svg', dark: 'file:../../icons/whatsapp-crm-contact.dark.svg' } });
		expect(description.outputs).toHaveLength(2);
		expect(description.outputNames).toEqual(['Contact', 'Not a Contact']);
		expect(description.credentials).toEqual([{ name: 'postgres', required: true }]);
		expect(defaultOf('createIfNotFound')).toBe(true);
		expect(defaultOf('updateProfile')).toBe('fillMissing');
	});
});

describe('WhatsApp Resolve Contact: default parameters read without the expression engine', () => {
	const shapes: IDataObject[] = [
		inbound('5511987654321@c.us', { name: 'Ana', about: 'Disponível' }),
		inbound('5511987654321@c.us', { name: null, about: null, phone: null }),
		{ message: { remote: { phone: '', rawId: '5511987654321@c.us', name: '' } } },
		{ message: { remote: { phone: '+5511987654321' } } },
		{ message: { remote: null } },
		{ message: null },
		{ message: 'not an object' },
		{ remote: { rawId: '120363000000000001@g.us' } },
		{ remote: null },
		{ phone: '+5511987654321' },
		{},
	];

	it.each(['phone', 'profileName', 'about'] as const)('%s: the default expression of the description, with the same value as n8n evaluating it', (name) => {
		const native = READ_NATIVELY[name];
		expect(defaultOf(name)).toBe(native.expression);
		for (const json of shapes) {
			const evaluated = expression.resolveSimpleParameterValue(native.expression, { $json: json } as never);
			expect({ json, value: native.read(json) ?? null }).toEqual({ json, value: evaluated ?? null });
		}
	});
});

describe('WhatsApp Resolve Contact: execute', () => {
	it('creates the contact of a new sender from the trigger event, keeping the event for the next node', async () => {
		const event = inbound('5511987654321@c.us', { name: 'Ana Souza', about: 'Disponível' });
		const [contacts, notContacts] = await execute({ items: [event] });

		expect(notContacts).toEqual([]);
		expect(contacts).toHaveLength(1);
		expect(contacts[0].pairedItem).toEqual({ item: 0 });
		const json = contacts[0].json;
		// The event is kept whole, so the next node can insert (contact.id, message.messageId, message.text, …).
		expect(json).toMatchObject({ ...event, matchedBy: 'created' });
		expect(json.contact).toEqual({
			id: expect.any(String),
			name: 'Ana Souza',
			whatsapp_phone: '+5511987654321',
			whatsapp_lid: null,
			phones: [],
			about: 'Disponível',
			source: 'whatsapp',
			created_at: expect.any(String),
			updated_at: expect.any(String),
		});
		expect(await contactRows()).toEqual([
			{ id: (json.contact as IDataObject).id, name: 'Ana Souza', whatsapp_phone: '+5511987654321', phones: [], about: 'Disponível', source: 'whatsapp' },
		]);
	});

	it('finds the contact again on the next message and fills in only what is missing (by default)', async () => {
		const [[created]] = await execute({ items: [inbound('5511987654321@c.us', { name: null })] });
		const id = (created.json.contact as IDataObject).id;
		await pool.query("UPDATE whatsapp_crm.contacts SET about = 'Typed by sales' WHERE id = $1", [id]);

		const [[again]] = await execute({ items: [inbound('5511987654321@c.us', { name: 'Ana', about: 'From WhatsApp' })] });
		expect(again.json).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id, name: 'Ana', about: 'Typed by sales' } });

		const [[overwritten]] = await execute({
			items: [inbound('5511987654321@c.us', { name: 'Ana S.', about: 'From WhatsApp' })],
			parameters: { updateProfile: 'overwriteChanged' },
		});
		expect(overwritten.json).toMatchObject({ contact: { id, name: 'Ana S.', about: 'From WhatsApp' } });

		const [[untouched]] = await execute({ items: [inbound('5511987654321@c.us', { name: 'Zed' })], parameters: { updateProfile: 'never' } });
		expect(untouched.json).toMatchObject({ contact: { id, name: 'Ana S.' } });
		expect(await contactRows()).toHaveLength(1);
	});

	it("matches a contact whose other numbers list the old Brazilian form of the sender's number", async () => {
		const { rows } = await pool.query("INSERT INTO whatsapp_crm.contacts (name, phones) VALUES ('Bruno', '{+551187654321}') RETURNING id");
		const [[item]] = await execute({ items: [inbound('5511987654321@c.us', { name: 'B' })] });
		expect(item.json).toMatchObject({ matchedBy: 'phones', contact: { id: rows[0].id, name: 'Bruno', whatsapp_phone: null } });
		expect(await contactRows()).toHaveLength(1);
	});

	it('accepts a Meta wa_id, a plain number and, with a default country, a national number', async () => {
		const [contacts] = await execute({
			items: [{ from: '14155550100' }, { from: '+1 415 555 0100' }, { from: '(11) 98765-4321' }],
			parameters: { phone: '={{ $json.from }}', profileName: '', about: '', options: { defaultCountry: 'br' } },
		});
		expect(contacts.map((item) => [item.json.matchedBy, (item.json.contact as IDataObject).whatsapp_phone])).toEqual([
			['created', '+14155550100'],
			['whatsapp_phone', '+14155550100'],
			['created', '+5511987654321'],
		]);
		expect(contacts.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('sends groups, broadcasts, status, channels and invalid ids to "Not a Contact", with a reason; a hidden-number sender is a contact', async () => {
		const items = [
			inbound('120363025246125486@g.us'),
			inbound('5511987654321@c.us', { name: 'Ana' }),
			inbound('status@broadcast'),
			inbound('1234567890@broadcast'),
			inbound('120363144038483540@newsletter'),
			inbound('110985430876233@lid'),
			{ phone: 'call me maybe' },
		];
		const [contacts, notContacts] = await execute({
			items,
			parameters: { phone: '={{ $json.phone || $json.message.remote.phone || $json.message.remote.rawId }}' },
		});

		expect(contacts.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 5 }]);
		expect(notContacts.map((item) => [item.pairedItem, item.json.reason])).toEqual([
			[{ item: 0 }, 'group'],
			[{ item: 2 }, 'status'],
			[{ item: 3 }, 'broadcast'],
			[{ item: 4 }, 'channel'],
			[{ item: 6 }, 'invalid'],
		]);
		expect(notContacts[0].json).toMatchObject({ ...items[0], reasonText: 'A group chat is not a contact.' });
		expect(notContacts[4].json.reasonText).toMatch(/^Not a phone number or WhatsApp ID: /);
		expect(await contactRows()).toHaveLength(2);
	});

	it('uses the phone an @lid sender was resolved to, and records the lid on the contact', async () => {
		const [[item], notContacts] = await execute({ items: [inbound('110985430876233@lid', { phone: '+5511987654321' })] });
		expect(notContacts).toEqual([]);
		expect(item.json).toMatchObject({ matchedBy: 'created', contact: { whatsapp_phone: '+5511987654321', whatsapp_lid: '110985430876233@lid' } });
	});

	it('a lid-only sender becomes a contact known by the lid; their next messages (any device) find it', async () => {
		const [[first]] = await execute({ items: [inbound('110985430876233@lid', { name: 'Bia' })] });
		expect(first.json).toMatchObject({
			matchedBy: 'created',
			contact: { whatsapp_phone: null, whatsapp_lid: '110985430876233@lid', name: 'Bia', source: 'whatsapp' },
		});
		const [[again]] = await execute({ items: [inbound('110985430876233:12@lid')] });
		expect(again.json).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: (first.json.contact as IDataObject).id } });
		expect(await contactRows()).toHaveLength(1);
	});

	it("a Cloud API sender known by a business-scoped user id is a contact too", async () => {
		const item = inbound('5511987654321', { id: 'wamid.BSUID1' });
		const remote = { idKind: 'lid', phone: null, rawId: 'BR.1502576394655843', name: 'Caio', about: null };
		const [[contact], notContacts] = await execute({ items: [{ ...item, message: { ...(item.message as IDataObject), remote } }] });
		expect(notContacts).toEqual([]);
		expect(contact.json).toMatchObject({ matchedBy: 'created', contact: { whatsapp_lid: 'BR.1502576394655843', name: 'Caio' } });
	});

	it("a number mapped to someone else does not take the sender's lid (unless the Hidden-Number ID is mapped too)", async () => {
		const event = inbound('110985430876233@lid', { phone: '+5511987654321' });
		const [[other]] = await execute({ items: [event], parameters: { phone: '+14155550100' } });
		expect(other.json).toMatchObject({ matchedBy: 'created', contact: { whatsapp_phone: '+14155550100', whatsapp_lid: null } });
		const [[mapped]] = await execute({ items: [event], parameters: { phone: '+14155550100', lid: '={{ $json.message.remote.rawId }}' } });
		expect(mapped.json).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { whatsapp_phone: '+14155550100', whatsapp_lid: '110985430876233@lid' } });
	});

	it("merges the lid-only contact into the number's once a message carries both, keeping its interactions", async () => {
		const [[lidOnly]] = await execute({ items: [inbound('110985430876233@lid', { name: 'Bia' })] });
		const lidContactId = (lidOnly.json.contact as IDataObject).id as string;
		await pool.query(
			"INSERT INTO whatsapp_crm.interactions (contact_id, direction, body, ext_message_id, occurred_at) VALUES ($1, 'inbound', 'oi', 'false_110985430876233@lid_A', now())",
			[lidContactId],
		);
		const phoneId = (
			await pool.query<{ id: string }>("INSERT INTO whatsapp_crm.contacts (whatsapp_phone, name) VALUES ('+5511987654321', 'Beatriz') RETURNING id")
		).rows[0]!.id;

		const [[merged]] = await execute({ items: [inbound('110985430876233@lid', { phone: '+5511987654321', name: 'Bia' })] });
		expect(merged.json).toMatchObject({
			matchedBy: 'whatsapp_phone',
			mergedContactId: lidContactId,
			contact: { id: phoneId, name: 'Beatriz', whatsapp_phone: '+5511987654321', whatsapp_lid: '110985430876233@lid' },
		});
		const { rows } = await pool.query('SELECT contact_id::text FROM whatsapp_crm.interactions');
		expect(rows).toEqual([{ contact_id: phoneId }]);
		expect(await contactRows()).toHaveLength(1);
		// Later lid-only messages find the number's contact.
		const [[later]] = await execute({ items: [inbound('110985430876233@lid')] });
		expect(later.json).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: phoneId } });
	});

	it('with creation off, sends unknown numbers to "Not a Contact" and creates nothing', async () => {
		const [contacts, notContacts] = await execute({ items: [inbound('5511987654321@c.us')], parameters: { createIfNotFound: false } });
		expect(contacts).toEqual([]);
		expect(notContacts).toHaveLength(1);
		expect(notContacts[0]).toMatchObject({ pairedItem: { item: 0 }, json: { reason: 'not_found' } });
		expect(await contactRows()).toEqual([]);
	});

	it('twenty concurrent executions for one new number create one contact', async () => {
		const runs = await Promise.all(Array.from({ length: 20 }, () => execute({ items: [inbound('5215512345678@c.us', { name: 'Luis' })] })));
		const ids = new Set(runs.map(([[item]]) => (item.json.contact as IDataObject).id));
		expect(ids.size).toBe(1);
		expect(runs.filter(([[item]]) => item.json.matchedBy === 'created')).toHaveLength(1);
		// Mexico: WhatsApp's +521… becomes the modern +52 + 10 digits in the CRM.
		expect(await contactRows()).toEqual([expect.objectContaining({ whatsapp_phone: '+525512345678', source: 'whatsapp' })]);
	});

	it("Mexico: a contact is created with the modern +52 form, and found by WhatsApp's +521 form and by a contact stored with it", async () => {
		const [[created]] = await execute({ items: [inbound('5215512345678@c.us', { name: 'Luis' })] });
		expect(created.json).toMatchObject({ matchedBy: 'created', contact: { whatsapp_phone: '+525512345678' } });
		const [[fromMeta]] = await execute({ items: [inbound('5215512345678')] });
		expect(fromMeta.json).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: (created.json.contact as IDataObject).id } });
		// A contact stored before with WhatsApp's form is still the match.
		await pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+5213312345678')");
		const [[old]] = await execute({ items: [inbound('5213312345678@c.us')] });
		expect(old.json).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { whatsapp_phone: '+5213312345678' } });
		expect(await contactRows()).toHaveLength(2);
	});
});

describe('WhatsApp Resolve Contact: errors', () => {
	const itemWithoutNumber = { message: { text: 'no sender here' } };

	it('stops on an item without a number, naming the item and what to fill in', async () => {
		const error = await execute({ items: [inbound('5511987654321@c.us'), itemWithoutNumber] }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error).toMatchObject({
			message: 'No phone number or WhatsApp ID in item 1',
			description: expect.stringContaining('Fill in "Phone Number or WhatsApp ID"'),
			context: { itemIndex: 1 },
		});
	});

	it('with Continue On Fail, emits the error for that item on the first output and goes on', async () => {
		const [contacts, notContacts] = await execute({
			items: [itemWithoutNumber, inbound('5511987654321@c.us'), inbound('120363025246125486@g.us')],
			continueOnFail: true,
		});
		expect(contacts).toEqual([
			{
				json: { error: 'No phone number or WhatsApp ID in item 0', code: 'missing_phone' },
				pairedItem: { item: 0 },
			},
			expect.objectContaining({ pairedItem: { item: 1 }, json: expect.objectContaining({ matchedBy: 'created' }) }),
		]);
		expect(notContacts).toEqual([expect.objectContaining({ pairedItem: { item: 2 } })]);
	});

	it('says so when the number field is mapped to an object', async () => {
		await expect(execute({ items: [inbound('5511987654321@c.us')], parameters: { phone: '={{ $json.message.remote }}' } })).rejects.toThrow(
			'The phone number or WhatsApp ID of item 0 is not text',
		);
	});

	it('refuses a default country that is not a country code', async () => {
		await expect(execute({ items: [inbound('5511987654321@c.us')], parameters: { options: { defaultCountry: 'Brazil' } } })).rejects.toThrow(
			'Default Country "Brazil" is not a two-letter country code',
		);
	});

	it('says to run the migrations when the database has no CRM tables', async () => {
		const empty = await createTestDatabase();
		try {
			const error = await execute({ items: [inbound('5511987654321@c.us')], credentials: credentialFor(empty) }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error).toMatchObject({
				message: expect.stringMatching(/^The CRM tables are missing in this database: relation "whatsapp_crm\.contacts" does not exist/),
				description: expect.stringContaining('node db/migrate.js'),
			});
		} finally {
			await closePostgresPools();
			await empty.drop();
		}
	});

	it('says to check the credential when the database cannot be reached', async () => {
		const credentials = credentialFor(db, { database: `${db.name}_missing` });
		const error = await execute({ items: [inbound('5511987654321@c.us')], credentials }).catch((e: unknown) => e);
		expect(error).toMatchObject({
			message: expect.stringMatching(/^Could not reach the CRM database: database ".*_missing" does not exist/),
			description: expect.stringContaining('Check the Postgres credential'),
		});
		const [[item]] = await execute({ items: [inbound('5511987654321@c.us')], credentials, continueOnFail: true });
		expect(item.json.error).toMatch(/^Could not reach the CRM database/);
		expect(item.json.code).toBe('crm_unreachable');
	});

	it('refuses a credential that needs an SSH tunnel', async () => {
		await expect(
			execute({ items: [inbound('5511987654321@c.us')], credentials: credentialFor(db, { sshTunnel: true }) }),
		).rejects.toThrow(/SSH tunnel, which the WhatsApp CRM nodes do not support/);
	});

	it('needs no database for items that are not contacts', async () => {
		const credentials = credentialFor(db, { port: 1 });
		const [contacts, notContacts] = await execute({ items: [inbound('120363025246125486@g.us')], credentials });
		expect(contacts).toEqual([]);
		expect(notContacts).toHaveLength(1);
	});
});
