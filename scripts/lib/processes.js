'use strict';
/**
 * Child processes the start script owns: spawned into their own process group
 * with their output appended to a log file, stopped with a signal and a grace
 * period, and recorded in a pid file so that a start after a crash (or a
 * SIGKILLed start script) can end what the previous one left running — only
 * when the recorded process is still the one that was started (same command
 * line), never by name.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while a process with this pid exists (and is not a zombie). */
function isAlive(pid) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
	} catch (error) {
		return error.code === 'EPERM';
	}
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
		return state !== 'Z';
	} catch {
		return true; // no /proc (not Linux): kill(0) said it exists
	}
}

/** The process's command line as one string ('' when unknown). */
function commandLineOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
	} catch {
		return '';
	}
}

/**
 * Starts `command args` in its own process group (so Ctrl-C in the terminal
 * reaches only the start script, which stops the children in order), stdout
 * and stderr appended to `logFile` (`tag`, default 'start', names the caller in
 * what it appends itself). Returns { child, exited } where `exited` resolves to
 * { code, signal } once it has ended.
 */
function spawnLogged(command, args, { cwd, env, logFile, uid, gid, tag = 'start' }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	let child;
	try {
		child = spawn(command, args, {
			cwd,
			env,
			stdio: ['ignore', out, out],
			detached: true,
			...(uid === undefined ? {} : { uid, gid }),
		});
	} finally {
		fs.closeSync(out);
	}
	const exited = new Promise((resolve) => {
		child.once('exit', (code, signal) => resolve({ code, signal }));
		child.once('error', (error) => {
			fs.appendFileSync(logFile, `\n[${tag}] could not run ${command}: ${error.message}\n`);
			resolve({ code: -1, signal: null, error });
		});
	});
	return { child, exited };
}

function signalGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		try {
			process.kill(pid, signal);
			return true;
		} catch {
			return false;
		}
	}
}

/**
 * Sends `signal` to the child, waits up to `graceMs` for it to exit, then
 * SIGKILLs its whole process group (helpers it started, e.g. n8n's task
 * runner). Resolves to true when it ended within the grace period.
 */
async function stopChild({ child, exited }, { signal = 'SIGTERM', graceMs = 15_000, group = false } = {}) {
	if (child.pid === undefined) return true;
	let graceful = true;
	if (child.exitCode === null && child.signalCode === null) {
		if (group) signalGroup(child.pid, signal);
		else {
			try {
				child.kill(signal);
			} catch {
				// already gone
			}
		}
		let timer;
		graceful = await Promise.race([
			exited.then(() => true),
			new Promise((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
		]);
		clearTimeout(timer);
		if (!graceful) signalGroup(child.pid, 'SIGKILL');
		await exited;
	}
	// Anything of its group still alive (a helper process) goes too.
	signalGroup(child.pid, 'SIGKILL');
	return graceful;
}

/** Records a started process: its pid and command line. */
function writePidFile(file, pid) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, JSON.stringify({ pid, cmdline: commandLineOf(pid), startedAt: new Date().toISOString() }));
}

function removePidFile(file) {
	fs.rmSync(file, { force: true });
}

/**
 * Ends the process a pid file names if it is still running with the command
 * line it was started with (a process left by a previous start that did not
 * shut down), then removes the file. Returns true when something was ended.
 */
async function endStaleProcess(file, { signal = 'SIGTERM', graceMs = 10_000 } = {}) {
	let record;
	try {
		record = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		removePidFile(file);
		return false;
	}
	const { pid, cmdline } = record;
	if (!isAlive(pid) || !cmdline || commandLineOf(pid) !== cmdline) {
		removePidFile(file);
		return false;
	}
	signalGroup(pid, signal);
	const deadline = Date.now() + graceMs;
	while (isAlive(pid) && Date.now() < deadline) await sleep(100);
	if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
	while (isAlive(pid) && Date.now() < deadline + 5000) await sleep(100);
	removePidFile(file);
	return true;
}

/** The last `lines` lines of a log file ('' when it does not exist). */
function tailOf(file, lines = 40) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

module.exports = {
	sleep,
	isAlive,
	commandLineOf,
	spawnLogged,
	signalGroup,
	stopChild,
	writePidFile,
	removePidFile,
	endStaleProcess,
	tailOf,
};
