/** The in-memory ContactStore behaves like the database one. */
import { createMemoryContactStore } from '../../../core/contacts';
import { lookup } from '../../support/contact-lookup';

describe('createMemoryContactStore', () => {
	it('returns the contact for the first form that matches, in the order given', async () => {
		const store = createMemoryContactStore([
			{ id: 'a', whatsappPhone: '+14155550100', phones: ['+14155550300'] },
			{ id: 'b', whatsappPhone: '+14155550200', phones: ['+14155550400'] },
		]);
		expect((await store.findOrCreate(lookup(['+14155550200', '+14155550100']))).contact?.id).toBe('b');
		expect((await store.findOrCreate(lookup(['+14155550100', '+14155550200']))).contact?.id).toBe('a');
		expect(await store.findOrCreate(lookup(['+14155550400', '+14155550300']))).toMatchObject({ matchedBy: 'phones', contact: { id: 'b' } });
		expect(await store.findOrCreate(lookup(['+14155550999']))).toEqual({ contact: null, matchedBy: 'not_found' });
	});

	it('findOrCreate creates once and then returns the existing contact', async () => {
		const store = createMemoryContactStore();
		const first = await store.findOrCreate(lookup(['+14155550100'], { createIfMissing: true, profile: { name: 'Ana', about: null } }));
		const second = await store.findOrCreate(lookup(['+14155550100'], { createIfMissing: true, profile: { name: 'Someone else', about: null } }));
		expect(first.matchedBy).toBe('created');
		expect(second).toEqual({ contact: first.contact, matchedBy: 'whatsapp_phone' });
		expect(store.all()).toEqual([
			{ id: first.contact!.id, whatsappPhone: '+14155550100', whatsappLid: null, phones: [], name: 'Ana', about: null, source: 'whatsapp' },
		]);
	});

	it('findOrCreate is atomic under concurrency', async () => {
		const store = createMemoryContactStore();
		const results = await Promise.all(Array.from({ length: 20 }, () => store.findOrCreate(lookup(['+14155550100'], { createIfMissing: true }))));
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		expect(store.all()).toHaveLength(1);
	});

	it('findOrCreate over equivalent forms: concurrent first messages alternating +551187654321 and +5511987654321 create one contact', async () => {
		const store = createMemoryContactStore();
		const forms = ['+551187654321', '+5511987654321'];
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) => store.findOrCreate(lookup([forms[i % 2]!, forms[(i + 1) % 2]!], { createIfMissing: true }))),
		);
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		expect(new Set(results.map((r) => r.contact!.id)).size).toBe(1);
		expect(store.all()).toHaveLength(1);
	});

	it('findOrCreate returns a contact listing an equivalent form in phones, as a phones match', async () => {
		const store = createMemoryContactStore([{ id: 'a', whatsappPhone: null, phones: ['+551187654321'] }]);
		const result = await store.findOrCreate(lookup(['+5511987654321', '+551187654321'], { createIfMissing: true }));
		expect(result).toMatchObject({ matchedBy: 'phones', contact: { id: 'a' } });
		expect(store.all()).toHaveLength(1);
	});

	it('updates a matched profile by the same rule as the database: fill in, overwrite, never; an unknown value erases nothing', async () => {
		const store = createMemoryContactStore([{ id: 'a', whatsappPhone: '+14155550100', name: 'Typed by sales', about: '  ' }]);
		const profile = { name: 'WhatsApp name', about: 'Busy' };
		expect((await store.findOrCreate(lookup(['+14155550100'], { profile, profileUpdate: 'fillMissing' }))).contact).toMatchObject({ name: 'Typed by sales', about: 'Busy' });
		expect((await store.findOrCreate(lookup(['+14155550100'], { profile: { name: 'X', about: 'Y' }, profileUpdate: 'never' }))).contact).toMatchObject({ name: 'Typed by sales', about: 'Busy' });
		expect((await store.findOrCreate(lookup(['+14155550100'], { profile: { name: 'New', about: null }, profileUpdate: 'overwriteChanged' }))).contact).toMatchObject({ name: 'New', about: 'Busy' });
		expect(store.all()[0]).toMatchObject({ name: 'New', about: 'Busy' });
	});

	it('hands out copies: mutating a result does not change the store', async () => {
		const store = createMemoryContactStore([{ id: 'a', whatsappPhone: '+14155550100', phones: ['+14155550300'] }]);
		const { contact: found } = await store.findOrCreate(lookup(['+14155550100']));
		found!.phones.push('+19999999999');
		found!.name = 'changed';
		expect(store.all()[0]).toMatchObject({ phones: ['+14155550300'], name: null });
	});

	it('refuses duplicate whatsapp phones and ids when seeding, and never reuses a seeded id', () => {
		const store = createMemoryContactStore([{ id: 'contact-1', whatsappPhone: '+14155550100' }]);
		expect(() => store.add({ whatsappPhone: '+14155550100' })).toThrow(/duplicate whatsappPhone/);
		expect(() => store.add({ id: 'contact-1', whatsappPhone: '+14155550101' })).toThrow(/duplicate contact id/);
		expect(store.add({ whatsappPhone: '+14155550102' }).id).not.toBe('contact-1');
		// Several contacts known only by their phones list may coexist.
		store.add({ whatsappPhone: null, phones: ['+14155550500'] });
		store.add({ whatsappPhone: null, phones: ['+14155550600'] });
		expect(store.all()).toHaveLength(4);
	});

	describe('a lid (hidden-number sender), as the database store', () => {
		const LID = '110985430876233@lid';

		it('a lid alone: found by whatsappLid, else created with it and no number; concurrent first messages create one', async () => {
			const store = createMemoryContactStore();
			const results = await Promise.all(Array.from({ length: 10 }, () => store.findOrCreate(lookup([], { lid: LID, createIfMissing: true }))));
			expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
			expect(results.filter((r) => r.matchedBy === 'whatsapp_lid')).toHaveLength(9);
			expect(store.all()).toMatchObject([{ whatsappPhone: null, whatsappLid: LID, source: 'whatsapp' }]);
			expect(await createMemoryContactStore().findOrCreate(lookup([], { lid: LID }))).toEqual({ contact: null, matchedBy: 'not_found' });
		});

		it("the lid and the number: the lid-only contact merges into the number's (profile first, then what is missing), once", async () => {
			const store = createMemoryContactStore([
				{ id: 'lid', whatsappPhone: null, whatsappLid: LID, name: 'Bia', about: 'Oi', phones: ['+14155550100'] },
				{ id: 'phone', whatsappPhone: '+5511987654321', name: null },
			]);
			const merged = await store.findOrCreate(lookup(['+5511987654321'], { lid: LID, profile: { name: 'Beatriz', about: null }, profileUpdate: 'fillMissing' }));
			expect(merged).toEqual({
				matchedBy: 'whatsapp_phone',
				mergedContactId: 'lid',
				contact: { id: 'phone', whatsappPhone: '+5511987654321', whatsappLid: LID, name: 'Beatriz', about: 'Oi', phones: ['+14155550100'], source: 'manual' },
			});
			expect(store.all().map((c) => c.id)).toEqual(['phone']);
			expect(store.merges()).toEqual([{ mergedContactId: 'lid', intoContactId: 'phone', whatsappLid: LID }]);
			expect(await store.findOrCreate(lookup([], { lid: LID }))).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: 'phone' } });
		});

		it('the lid and a number no contact has: the lid-only contact takes the number; a new person gets both', async () => {
			const store = createMemoryContactStore([{ id: 'lid', whatsappPhone: null, whatsappLid: LID }]);
			expect(await store.findOrCreate(lookup(['+5511987654321'], { lid: LID }))).toMatchObject({
				matchedBy: 'whatsapp_lid',
				contact: { id: 'lid', whatsappPhone: '+5511987654321' },
			});
			expect(await store.findOrCreate(lookup(['+14155550100'], { lid: '9@lid', createIfMissing: true }))).toMatchObject({
				matchedBy: 'created',
				contact: { whatsappPhone: '+14155550100', whatsappLid: '9@lid' },
			});
			expect(() => store.add({ whatsappPhone: null, whatsappLid: LID })).toThrow(/duplicate whatsappLid/);
		});
	});
});
