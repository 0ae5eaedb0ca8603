'use strict';
/**
 * What `npm start` prints once everything runs (scripts/start.js): the URLs, the
 * owner login, where state and logs are, the workflows and what to do next.
 * The commands it prints work as printed from the folder it was started in: with
 * a custom DATA_DIR they carry it (`node scripts/start.js sql` reads the database
 * of DATA_DIR), and no line shows the CRM database's password (it stays in
 * DATA_DIR/secrets.json).
 */
const path = require('node:path');

const shellQuote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);

const DEMO_SQL =
	'SELECT c.name, c.whatsapp_phone, c.source, i.direction, i.body, i.occurred_at FROM whatsapp_crm.interactions i JOIN whatsapp_crm.contacts c ON c.id = i.contact_id ORDER BY i.id DESC LIMIT 10';

/** The URL without its password (`postgres://postgres@host:port/db`). */
function withoutPassword(databaseUrl) {
	try {
		const url = new URL(databaseUrl);
		url.password = '';
		return url.toString();
	} catch {
		return databaseUrl.replace(/:[^:@/]+@/, '@');
	}
}

/**
 * `node scripts/start.js sql <query>` as the user types it: the script's path from the
 * current folder, and DATA_DIR when it is not the default (so the query reaches the
 * database of this DATA_DIR, not of .data/).
 */
function sqlCommandLine({ repoRoot, dataDir, rel, embedded }) {
	const isDefault = path.resolve(dataDir) === path.resolve(repoRoot, '.data');
	const prefix = embedded && !isDefault ? `DATA_DIR=${shellQuote(path.resolve(dataDir))} ` : '';
	return `${prefix}node ${shellQuote(rel(path.join(repoRoot, 'scripts', 'start.js')))} sql ${shellQuote(DEMO_SQL)}`;
}

function banner(info, { rel, repoRoot }) {
	const lines = [];
	const rule = '─'.repeat(78);
	const active = info.workflows.filter((w) => w.active);
	const secretsFile = rel(path.join(info.dataDir, 'secrets.json'));
	const embedded = info.database.embedded;
	const sql = sqlCommandLine({ repoRoot, dataDir: info.dataDir, rel, embedded });
	lines.push('', rule, ` WhatsApp CRM is running  (WhatsApp driver: ${info.driver})`, '');
	lines.push(` n8n editor     ${info.editorUrl}`);
	lines.push(`   owner login  ${info.owner.email}  /  ${info.owner.password}`);
	lines.push(` Sidecar        ${info.sidecarUrl}  (API key: sidecarApiKey in ${secretsFile})`);
	lines.push(` CRM database   ${embedded ? `${withoutPassword(info.database.url)}  (embedded; password: postgresPassword in ${secretsFile})` : 'DATABASE_URL'}`);
	lines.push(` Data, logs     ${rel(info.dataDir)}/  ·  ${rel(info.logsDir)}/{n8n,sidecar${embedded ? ',postgres' : ''}}.log`);
	lines.push('', ` Workflows (${active.length} of ${info.workflows.length} active)`);
	for (const w of info.workflows) lines.push(`   ${w.active ? 'active  ' : 'inactive'}  ${w.name}${w.note ? `\n              ${w.note}` : ''}`);
	if (info.workflows.length === 0) lines.push('   none found in workflows/');
	lines.push('', ' Next');
	let step = 1;
	if (info.connectForm) {
		lines.push(
			` ${step++}. Connect WhatsApp: open ${info.connectForm.url}`,
			`    enter a CRM user id (a UUID, e.g. ${info.demoUserId}) and ${info.driver === 'simulator' ? 'the simulated phone links below' : 'scan the QR code with the phone (Settings > Linked Devices > Link a Device)'}.`,
		);
	}
	const sqlLines = [`      ${sql}`];
	if (embedded) sqlLines.push(`      (or psql ${shellQuote(withoutPassword(info.database.url))} with Debian's postgresql-client; password: postgresPassword in ${secretsFile})`);
	else sqlLines.push('      (with DATABASE_URL set as for npm start)');
	if (info.driver === 'simulator') {
		const base = info.sidecarUrl;
		const auth = '-H "Authorization: Bearer $KEY"';
		const json = "-H 'content-type: application/json'";
		lines.push(
			` ${step++}. Demo without a phone (simulator) — in another terminal:`,
			`      KEY=${info.sidecarApiKey}; U=${info.demoUserId}`,
			`      curl -s -X POST ${auth} ${base}/sessions/$U                                   # start the session (QR)`,
			`      curl -s -X POST ${auth} ${json} -d '{}' ${base}/simulator/sessions/$U/link     # the phone scans it`,
			`      curl -s -X POST ${auth} ${json} \\`,
			`        -d '{"from":"+5511987654321","text":"Hi! Could you send me a quote?","notifyName":"Ana Souza"}' \\`,
			`        ${base}/simulator/sessions/$U/inbound                                      # a contact writes`,
			` ${step++}. See the interaction in the CRM:`,
			...sqlLines,
		);
	} else {
		lines.push(` ${step++}. Messages to and from the linked phone appear in the CRM:`, ...sqlLines);
	}
	lines.push(` ${step++}. Edit the workflows in the editor; the README explains each one.`, '', ' Ctrl-C stops everything (n8n, the sidecar, the embedded database); state stays in DATA_DIR.');
	if (info.driver !== 'simulator') {
		// Last, where it is still on screen: the driver was picked because Chromium is installed, and
		// offline (or behind a proxy) it cannot load WhatsApp Web; the first lines of output have scrolled away.
		lines.push(
			'',
			' No phone at hand, offline or behind a proxy? The Connect form then says WhatsApp Web cannot be',
			' reached (whatsapp_web_unreachable). Run the demo without WhatsApp instead:',
			'      WHATSAPP_DRIVER=simulator npm start',
		);
	}
	lines.push(rule);
	return lines.join('\n');
}

module.exports = { banner, sqlCommandLine, withoutPassword, shellQuote, DEMO_SQL };
