/** The contact-matching rule over the in-memory store. */
import { createMemoryContactStore, resolveContact, type MemoryContact } from '../../../core/contacts';

const NEW_NUMBER = '+5511987654321';
const OLD_FORM = '+551187654321';

/** A fake of core/phone's equivalentPhoneForms: the Brazilian ninth-digit pair, the number itself first. */
function brazilEquivalents(e164: string): string[] {
	if (e164 === NEW_NUMBER) return [NEW_NUMBER, OLD_FORM];
	if (e164 === OLD_FORM) return [OLD_FORM, NEW_NUMBER];
	return [e164];
}

describe('resolveContact', () => {
	it('matches an exact whatsapp_phone', async () => {
		const store = createMemoryContactStore([{ id: 'c1', whatsappPhone: NEW_NUMBER, name: 'Ana' }]);
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: true });
		expect(result).toEqual({ contact: expect.objectContaining({ id: 'c1', name: 'Ana' }), matchedBy: 'whatsapp_phone', searchedForms: [NEW_NUMBER] });
		expect(store.all()).toHaveLength(1);
	});

	it('matches through the phones list when no whatsapp_phone matches', async () => {
		const store = createMemoryContactStore([
			{ id: 'c1', whatsappPhone: null, phones: ['+14155550100', NEW_NUMBER] },
			{ id: 'c2', whatsappPhone: '+14155550199' },
		]);
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: true });
		expect(result.matchedBy).toBe('phones');
		expect(result.contact?.id).toBe('c1');
		expect(store.all()).toHaveLength(2);
	});

	it('prefers a whatsapp_phone match over a phones match', async () => {
		const store = createMemoryContactStore([
			{ id: 'by-phones', whatsappPhone: null, phones: [NEW_NUMBER] },
			{ id: 'by-whatsapp', whatsappPhone: NEW_NUMBER },
		]);
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: false });
		expect(result).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: 'by-whatsapp' } });
	});

	it('prefers a whatsapp_phone match on an equivalent form over a phones match on the number itself', async () => {
		const store = createMemoryContactStore([
			{ id: 'by-phones', whatsappPhone: null, phones: [NEW_NUMBER] },
			{ id: 'by-old-form', whatsappPhone: OLD_FORM },
		]);
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: false, equivalentForms: brazilEquivalents });
		expect(result).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: 'by-old-form' } });
	});

	it('finds a contact stored under an equivalent form, either way round, only when equivalents are given', async () => {
		const store = createMemoryContactStore([{ id: 'old', whatsappPhone: OLD_FORM }]);
		const withEquivalents = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: false, equivalentForms: brazilEquivalents });
		expect(withEquivalents).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: 'old' }, searchedForms: [NEW_NUMBER, OLD_FORM] });

		const withoutEquivalents = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: false });
		expect(withoutEquivalents).toEqual({ contact: null, matchedBy: 'not_found', searchedForms: [NEW_NUMBER] });

		const reverse = createMemoryContactStore([{ id: 'new', whatsappPhone: null, phones: [NEW_NUMBER] }]);
		const viaPhones = await resolveContact(reverse, { phone: OLD_FORM }, { createIfMissing: false, equivalentForms: brazilEquivalents });
		expect(viaPhones).toMatchObject({ matchedBy: 'phones', contact: { id: 'new' } });
	});

	it('prefers the number itself when both it and an equivalent match different contacts', async () => {
		const store = createMemoryContactStore([
			{ id: 'old', whatsappPhone: OLD_FORM },
			{ id: 'exact', whatsappPhone: NEW_NUMBER },
		]);
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: false, equivalentForms: brazilEquivalents });
		expect(result.contact?.id).toBe('exact');
	});

	it('searches each form once, the number first, even if equivalents repeat it', async () => {
		const store = createMemoryContactStore();
		const result = await resolveContact(store, { phone: NEW_NUMBER }, {
			createIfMissing: false,
			equivalentForms: () => [NEW_NUMBER, OLD_FORM, NEW_NUMBER, OLD_FORM],
		});
		expect(result.searchedForms).toEqual([NEW_NUMBER, OLD_FORM]);
	});

	it('creates a whatsapp contact with name and about when missing', async () => {
		const store = createMemoryContactStore([{ id: 'other', whatsappPhone: '+14155550100' }]);
		const result = await resolveContact(store, { phone: NEW_NUMBER, name: 'Bruno', about: 'Disponível' }, { createIfMissing: true });
		expect(result.matchedBy).toBe('created');
		expect(result.contact).toMatchObject({ whatsappPhone: NEW_NUMBER, name: 'Bruno', about: 'Disponível', source: 'whatsapp' });
		expect(store.all().map((c: MemoryContact) => c.whatsappPhone)).toEqual(['+14155550100', NEW_NUMBER]);

		const again = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: true });
		expect(again).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: result.contact?.id } });
		expect(store.all()).toHaveLength(2);
	});

	it('creates the contact under the number received, not under an equivalent form', async () => {
		const store = createMemoryContactStore();
		const result = await resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: true, equivalentForms: brazilEquivalents });
		expect(result.contact).toMatchObject({ whatsappPhone: NEW_NUMBER, name: null, about: null });
	});

	it('trims the profile, treats a blank one as unknown, and updates a matched contact only as asked (never, by default)', async () => {
		const store = createMemoryContactStore([{ id: 'c1', whatsappPhone: NEW_NUMBER, name: null, about: 'Old' }]);
		await resolveContact(store, { phone: NEW_NUMBER, name: ' Ana ', about: 'New' }, { createIfMissing: true });
		expect(store.all()[0]).toMatchObject({ name: null, about: 'Old' });
		const filled = await resolveContact(store, { phone: NEW_NUMBER, name: ' Ana ', about: '   ' }, { createIfMissing: true, profileUpdate: 'fillMissing' });
		expect(filled.contact).toMatchObject({ name: 'Ana', about: 'Old' });
		const created = await resolveContact(store, { phone: '+14155550100', name: '  ', about: ' Hi ' }, { createIfMissing: true });
		expect(created.contact).toMatchObject({ name: null, about: 'Hi' });
	});

	it('does not create when createIfMissing is false', async () => {
		const store = createMemoryContactStore();
		const result = await resolveContact(store, { phone: NEW_NUMBER, name: 'Ana' }, { createIfMissing: false });
		expect(result).toEqual({ contact: null, matchedBy: 'not_found', searchedForms: [NEW_NUMBER] });
		expect(store.all()).toEqual([]);
	});

	it('20 concurrent calls for one new number create exactly one contact', async () => {
		const store = createMemoryContactStore();
		const results = await Promise.all(
			Array.from({ length: 20 }, () => resolveContact(store, { phone: NEW_NUMBER, name: 'Ana' }, { createIfMissing: true })),
		);
		expect(store.all()).toHaveLength(1);
		const id = store.all()[0].id;
		expect(results.every((r) => r.contact?.id === id)).toBe(true);
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		// The other 19 got the same contact back, as a whatsapp_phone match (found, or lost the insert race).
		expect(results.filter((r) => r.matchedBy === 'whatsapp_phone')).toHaveLength(19);
	});

	it.each(['5511987654321', '+0511987654321', '+55 11 98765-4321', '+123456', '+1234567890123456', '', ' +5511987654321', '5511987654321@c.us'])(
		'throws a TypeError for the non-E.164 phone %p, without echoing it',
		async (phone) => {
			const store = createMemoryContactStore();
			const attempt = resolveContact(store, { phone }, { createIfMissing: true });
			await expect(attempt).rejects.toThrow(TypeError);
			await expect(attempt).rejects.toThrow(/E\.164/);
			await attempt.catch((error: Error) => {
				if (phone.length > 0) expect(error.message).not.toContain(phone.trim());
			});
			expect(store.all()).toEqual([]);
		},
	);

	it('accepts the shortest and longest E.164 lengths', async () => {
		const store = createMemoryContactStore();
		for (const phone of ['+1234567', '+123456789012345']) {
			await expect(resolveContact(store, { phone }, { createIfMissing: true })).resolves.toMatchObject({ matchedBy: 'created' });
		}
	});

	it('throws when an injected equivalentForms returns something that is not E.164', async () => {
		const store = createMemoryContactStore();
		await expect(
			resolveContact(store, { phone: NEW_NUMBER }, { createIfMissing: true, equivalentForms: () => ['5511987654321'] }),
		).rejects.toThrow(TypeError);
		expect(store.all()).toEqual([]);
	});

	it('resolves a lid alone (no number searched), and refuses neither-nor and a blank lid', async () => {
		const store = createMemoryContactStore();
		const result = await resolveContact(store, { phone: null, lid: '110985430876233@lid', name: ' Bia ' }, { createIfMissing: true });
		expect(result).toMatchObject({ matchedBy: 'created', searchedForms: [], contact: { whatsappLid: '110985430876233@lid', name: 'Bia' } });
		await expect(resolveContact(store, { phone: null }, { createIfMissing: true })).rejects.toThrow(TypeError);
		await expect(resolveContact(store, { phone: null, lid: ' ' }, { createIfMissing: true })).rejects.toThrow(/lid must be/);
	});

	it('creates the contact under the canonical form when one is given, and still searches the number as received', async () => {
		const store = createMemoryContactStore();
		const canonicalForm = (e164: string) => (e164 === '+5215512345678' ? '+525512345678' : e164);
		const mexico = (e164: string) => (e164 === '+525512345678' ? [e164, '+5215512345678'] : [e164]);
		const created = await resolveContact(store, { phone: '+5215512345678' }, { createIfMissing: true, canonicalForm, equivalentForms: mexico });
		expect(created).toMatchObject({ matchedBy: 'created', searchedForms: ['+525512345678', '+5215512345678'], contact: { whatsappPhone: '+525512345678' } });
		// Without equivalents the number as received is searched all the same.
		const again = await resolveContact(store, { phone: '+5215512345678' }, { createIfMissing: false, canonicalForm });
		expect(again).toMatchObject({ matchedBy: 'whatsapp_phone', searchedForms: ['+525512345678', '+5215512345678'] });
		await expect(resolveContact(store, { phone: '+5215512345678' }, { createIfMissing: false, canonicalForm: () => '52' })).rejects.toThrow(/canonicalForm/);
	});
});
