/**
 * Phone numbers and WhatsApp ids (core/phone): parseWhatsAppId over every
 * form the trigger and the sidecar meet (E.164, Meta wa_id, @c.us and
 * @s.whatsapp.net JIDs with and without a device, national numbers with a
 * default country) for 18 countries, plus groups, LIDs, broadcasts, channels
 * and garbage; equivalentPhoneForms over the resulting E.164 numbers.
 */
import { equivalentPhoneForms, parseWhatsAppId } from '../core/phone';
import { COUNTRIES, mixedPhoneSamples } from './lib/fixtures';
import { check, defineBench } from './lib/harness';

export default defineBench({
	title: 'Phone and JID parsing',
	measures: `parseWhatsAppId and equivalentPhoneForms (core/phone, libphonenumber-js min metadata) over a mixed list of numbers and JIDs from ${COUNTRIES.length} countries.`,
	async run(ctx) {
		const samples = mixedPhoneSamples();
		for (const s of samples) {
			const parsed = parseWhatsAppId(s.input, { defaultCountry: s.defaultCountry });
			check(parsed.kind === s.expectKind, `${s.form} sample parsed as ${parsed.kind} (${parsed.reason ?? ''}), expected ${s.expectKind}`);
		}
		const people = samples.filter((s) => s.expectKind === 'person');
		const e164s = [...new Set(people.map((s) => parseWhatsAppId(s.input, { defaultCountry: s.defaultCountry }).e164 as string))];

		const over = (list: typeof samples) => () => {
			for (const s of list) parseWhatsAppId(s.input, { defaultCountry: s.defaultCountry });
		};
		await ctx.rate(`parseWhatsAppId, mixed list (${samples.length} ids)`, over(samples), { opLabel: 'list', itemsPerOp: samples.length, itemLabel: 'id' });
		for (const form of ['e164', 'wa_id', 'jid_cus', 'jid_device', 'national']) {
			const list = samples.filter((s) => s.form === form);
			await ctx.rate(`parseWhatsAppId, ${form} only (${list.length} ids)`, over(list), { opLabel: 'list', itemsPerOp: list.length, itemLabel: 'id', timeMs: 400 });
		}
		const nonContacts = samples.filter((s) => s.expectKind !== 'person');
		await ctx.rate(`parseWhatsAppId, groups/LID/broadcast/status/channel/invalid (${nonContacts.length} ids)`, over(nonContacts), {
			opLabel: 'list',
			itemsPerOp: nonContacts.length,
			itemLabel: 'id',
			timeMs: 400,
		});
		const brMx = equivalentPhoneForms(e164s.find((e) => e.startsWith('+55')) as string);
		check(brMx.length === 2, 'a Brazilian mobile did not get its 8-digit equivalent');
		await ctx.rate(`equivalentPhoneForms (${e164s.length} E.164 numbers)`, () => {
			for (const e of e164s) equivalentPhoneForms(e);
		}, { opLabel: 'list', itemsPerOp: e164s.length, itemLabel: 'number' });

		ctx.note(`Countries: ${COUNTRIES.join(', ')} (libphonenumber-js example mobiles, so every number is valid); each written 6 ways: +E.164, wa_id digits, @c.us, @s.whatsapp.net, with :12 device, national format with defaultCountry.`);
		ctx.note('Every sample is checked to parse to the expected kind before timing; latency columns are per list, divide by the list size for one id.');
	},
});
