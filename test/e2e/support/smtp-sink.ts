/**
 * A minimal SMTP server on loopback that accepts every message and keeps it: enough
 * for n8n's Send Email node (nodemailer) with an SMTP credential without TLS or login.
 * It speaks RFC 5321's happy path: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; a
 * recipient listed in `rejectedRecipients` is refused (550), as a mail server that is
 * down for them would, so a test can make sending fail.
 */
import net from 'node:net';

export interface ReceivedMail {
	from: string;
	to: string[];
	/** The message as sent (headers and body, dot-unstuffed). */
	data: string;
	/** The Subject header's value. */
	subject: string;
	/** The body, decoded from quoted-printable or base64 when the message says so. */
	body: string;
}

function decodeBody(message: string): string {
	const split = message.indexOf('\r\n\r\n');
	const headers = split < 0 ? '' : message.slice(0, split);
	const raw = split < 0 ? message : message.slice(split + 4);
	const encoding = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
	if (encoding === 'base64') return Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8');
	if (encoding === 'quoted-printable') {
		const bytes = raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
		return Buffer.from(bytes, 'latin1').toString('utf8');
	}
	return raw;
}

export interface SmtpSink {
	readonly port: number;
	readonly messages: ReceivedMail[];
	/** Recipients refused at RCPT with 550 (the message is not accepted); add and remove as needed. */
	readonly rejectedRecipients: Set<string>;
	close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
	const messages: ReceivedMail[] = [];
	const rejectedRecipients = new Set<string>();
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		socket.setEncoding('utf8');
		const reply = (line: string) => socket.write(`${line}\r\n`);
		let buffer = '';
		let from = '';
		let to: string[] = [];
		let inData = false;
		let data: string[] = [];
		reply('220 localhost ESMTP e2e sink');
		socket.on('data', (chunk: string) => {
			buffer += chunk;
			let end: number;
			while ((end = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				if (inData) {
					if (line === '.') {
						inData = false;
						const text = data.join('\r\n');
						const subject = /^Subject: (.*)$/im.exec(text)?.[1]?.trim() ?? '';
						messages.push({ from, to, data: text, subject, body: decodeBody(text) });
						from = '';
						to = [];
						data = [];
						reply('250 OK: queued');
					} else {
						data.push(line.startsWith('..') ? line.slice(1) : line);
					}
					continue;
				}
				const command = line.slice(0, 4).toUpperCase();
				if (command === 'EHLO') {
					socket.write('250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
				} else if (command === 'HELO') reply('250 localhost');
				else if (command === 'MAIL') {
					from = /<([^>]*)>/.exec(line)?.[1] ?? '';
					reply('250 OK');
				} else if (command === 'RCPT') {
					const recipient = /<([^>]*)>/.exec(line)?.[1] ?? '';
					if (rejectedRecipients.has(recipient)) reply('550 5.1.1 Mailbox unavailable');
					else {
						to.push(recipient);
						reply('250 OK');
					}
				} else if (command === 'DATA') {
					inData = true;
					reply('354 End data with <CR><LF>.<CR><LF>');
				} else if (command === 'RSET') {
					from = '';
					to = [];
					reply('250 OK');
				} else if (command === 'NOOP') reply('250 OK');
				else if (command === 'QUIT') {
					reply('221 Bye');
					socket.end();
				} else reply('502 Command not implemented');
			}
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as net.AddressInfo;
	return {
		port,
		messages,
		rejectedRecipients,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
