/**
 * Prometheus metrics in the text exposition format. Labels are closed sets
 * (event types, states, route templates, reasons): no session id, message id
 * or number ever becomes a label, so the endpoint can stay unauthenticated.
 */

type Labels = Record<string, string>;

interface Family {
	help: string;
	type: 'counter' | 'gauge';
	values: Map<string, { labels: Labels; value: number }>;
}

function labelKey(labels: Labels): string {
	return Object.keys(labels)
		.sort()
		.map((k) => `${k}=${labels[k]}`)
		.join(',');
}

function escapeLabel(value: string): string {
	return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels): string {
	const keys = Object.keys(labels);
	if (keys.length === 0) return '';
	return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

export class Metrics {
	private readonly families = new Map<string, Family>();
	private readonly collectors: Array<() => void> = [];

	counter(name: string, help: string, labels: Labels = {}, by = 1): void {
		const entry = this.entry(name, help, 'counter', labels);
		entry.value += by;
	}

	/** Sets a counter to a running total kept elsewhere (e.g. the outbox's own counts). */
	setCounter(name: string, help: string, value: number, labels: Labels = {}): void {
		this.entry(name, help, 'counter', labels).value = value;
	}

	gauge(name: string, help: string, value: number, labels: Labels = {}): void {
		this.entry(name, help, 'gauge', labels).value = value;
	}

	/** Declares a gauge family (so it shows up even with no series yet) and clears its series. */
	resetGauge(name: string, help: string): void {
		const family = this.family(name, help, 'gauge');
		family.values.clear();
	}

	/** Runs before every scrape, to refresh gauges from live state. */
	addCollector(collect: () => void): void {
		this.collectors.push(collect);
	}

	render(): string {
		for (const collect of this.collectors) {
			try {
				collect();
			} catch {
				// a collector failing never breaks the scrape
			}
		}
		const lines: string[] = [];
		for (const [name, family] of this.families) {
			lines.push(`# HELP ${name} ${family.help}`);
			lines.push(`# TYPE ${name} ${family.type}`);
			for (const { labels, value } of family.values.values()) lines.push(`${name}${formatLabels(labels)} ${value}`);
		}
		return `${lines.join('\n')}\n`;
	}

	private family(name: string, help: string, type: Family['type']): Family {
		let family = this.families.get(name);
		if (!family) {
			family = { help, type, values: new Map() };
			this.families.set(name, family);
		}
		return family;
	}

	private entry(name: string, help: string, type: Family['type'], labels: Labels) {
		const family = this.family(name, help, type);
		const key = labelKey(labels);
		let entry = family.values.get(key);
		if (!entry) {
			entry = { labels, value: 0 };
			family.values.set(key, entry);
		}
		return entry;
	}
}
