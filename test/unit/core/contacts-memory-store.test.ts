/** The in-memory ContactStore behaves like the database one. */
import { createMemoryContactStore } from '../../../core/contacts';

describe('createMemoryContactStore', () => {
	it('returns the contact for the first form that matches, in the order given', async () => {
		const store = createMemoryContactStore([
			{ id: 'a', whatsappPhone: '+14155550100', phones: ['+14155550300'] },
			{ id: 'b', whatsappPhone: '+14155550200', phones: ['+14155550400'] },
		]);
		expect((await store.findByWhatsAppPhone(['+14155550200', '+14155550100']))?.id).toBe('b');
		expect((await store.findByWhatsAppPhone(['+14155550100', '+14155550200']))?.id).toBe('a');
		expect((await store.findByPhonesEntry(['+14155550400', '+14155550300']))?.id).toBe('b');
		expect(await store.findByWhatsAppPhone(['+14155550300'])).toBeNull();
		expect(await store.findByPhonesEntry(['+14155550100'])).toBeNull();
	});

	it('insertOrGet creates once and then returns the existing contact', async () => {
		const store = createMemoryContactStore();
		const fields = { whatsappPhone: '+14155550100', name: 'Ana', about: null, source: 'whatsapp' as const };
		const first = await store.insertOrGet(fields);
		const second = await store.insertOrGet({ ...fields, name: 'Someone else' });
		expect(first.created).toBe(true);
		expect(second).toEqual({ contact: first.contact, created: false, matchedBy: 'whatsapp_phone' });
		expect(store.all()).toEqual([{ id: first.contact.id, whatsappPhone: '+14155550100', phones: [], name: 'Ana', about: null, source: 'whatsapp' }]);
	});

	it('insertOrGet is atomic under concurrency', async () => {
		const store = createMemoryContactStore();
		const fields = { whatsappPhone: '+14155550100', name: null, about: null, source: 'whatsapp' as const };
		const results = await Promise.all(Array.from({ length: 20 }, () => store.insertOrGet(fields)));
		expect(results.filter((r) => r.created)).toHaveLength(1);
		expect(store.all()).toHaveLength(1);
	});

	it('insertOrGet over equivalent forms: concurrent first messages alternating +551187654321 and +5511987654321 create one contact', async () => {
		const store = createMemoryContactStore();
		const forms = ['+551187654321', '+5511987654321'];
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) => {
				const phone = forms[i % 2]!;
				return store.insertOrGet({ whatsappPhone: phone, name: null, about: null, source: 'whatsapp' }, [phone, forms[(i + 1) % 2]!]);
			}),
		);
		expect(results.filter((r) => r.created)).toHaveLength(1);
		expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
		expect(store.all()).toHaveLength(1);
	});

	it('insertOrGet returns a contact listing an equivalent form in phones, as a phones match', async () => {
		const store = createMemoryContactStore([{ id: 'a', whatsappPhone: null, phones: ['+551187654321'] }]);
		const result = await store.insertOrGet({ whatsappPhone: '+5511987654321', name: null, about: null, source: 'whatsapp' }, ['+5511987654321', '+551187654321']);
		expect(result).toMatchObject({ created: false, matchedBy: 'phones', contact: { id: 'a' } });
		expect(store.all()).toHaveLength(1);
	});

	it('hands out copies: mutating a result does not change the store', async () => {
		const store = createMemoryContactStore([{ id: 'a', whatsappPhone: '+14155550100', phones: ['+14155550300'] }]);
		const found = await store.findByWhatsAppPhone(['+14155550100']);
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
});
