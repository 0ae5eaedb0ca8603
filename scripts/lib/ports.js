'use strict';
/** TCP ports on the loopback interface: is one free, and a free one from the kernel. */
const net = require('node:net');

/** Resolves true when nothing listens on host:port and we may bind it. */
function isPortFree(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/** A port the kernel says is free right now (asked for, then released). */
function freePort(host = '127.0.0.1') {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, host, () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `preferred` when it is free, else any free port. */
async function preferredOrFreePort(preferred, host = '127.0.0.1') {
	if (preferred && (await isPortFree(preferred, host))) return preferred;
	return await freePort(host);
}

module.exports = { isPortFree, freePort, preferredOrFreePort };
