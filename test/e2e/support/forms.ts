/**
 * Filling in an n8n Form over plain HTTP, as the browser does (n8n 2.41.1, Form
 * Trigger 2.5): the page's script POSTs the fields as multipart/form-data named
 * `field-<index>` (in the order of the form's fields) to /form/<path>. For a form that
 * continues with a "Form Ending" page n8n answers `{ formWaitingUrl }` (a signed
 * /form-waiting/<executionId> URL). The browser asks `<that URL>/n8n-execution-status`
 * until it says `form-waiting` (n8n leaves a request for the page itself unanswered while
 * the run is still going), then opens the URL: n8n answers with the ending page.
 */
export interface FormSubmission {
	status: number;
	/** The execution the submission started. */
	executionId: string;
	/** The signed URL of the page that follows the form. */
	formWaitingUrl: string;
}

export async function submitForm(baseUrl: string, formPath: string, values: Array<string | number | null>): Promise<FormSubmission> {
	const body = new FormData();
	values.forEach((value, index) => {
		if (value !== null) body.append(`field-${index}`, String(value));
	});
	const res = await fetch(`${baseUrl}/form/${formPath}`, { method: 'POST', body });
	const text = await res.text();
	if (res.status !== 200) throw new Error(`POST /form/${formPath} → ${res.status} ${text.slice(0, 300)}`);
	const { formWaitingUrl } = JSON.parse(text) as { formWaitingUrl?: string };
	const executionId = formWaitingUrl ? /\/form-waiting\/([^/?#]+)/.exec(formWaitingUrl)?.[1] : undefined;
	if (!formWaitingUrl || !executionId) throw new Error(`POST /form/${formPath}: no formWaitingUrl in ${text.slice(0, 300)}`);
	return { status: res.status, executionId, formWaitingUrl };
}

/**
 * The page shown after the form (its Form Ending), as the browser gets it; then, as that
 * page's script does, a POST back to the same URL, which lets the execution finish.
 */
export async function formEndingPage(submission: FormSubmission, timeoutMs = 30_000): Promise<{ status: number; html: string }> {
	const statusUrl = new URL(submission.formWaitingUrl);
	statusUrl.pathname += '/n8n-execution-status';
	const deadline = Date.now() + timeoutMs;
	let status = '';
	while (Date.now() < deadline) {
		const res = await fetch(statusUrl, { signal: AbortSignal.timeout(10_000) });
		status = (await res.text()).trim();
		if (status === 'form-waiting') break;
		if (['success', 'error', 'canceled', 'crashed', 'null'].includes(status)) {
			throw new Error(`execution ${submission.executionId} ended (${status}) without reaching a form page`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	if (status !== 'form-waiting') throw new Error(`execution ${submission.executionId} did not reach its form page (last status: ${status})`);
	const res = await fetch(submission.formWaitingUrl, { signal: AbortSignal.timeout(15_000) });
	const page = { status: res.status, html: await res.text() };
	const resumed = await fetch(submission.formWaitingUrl, { method: 'POST', body: '{}', signal: AbortSignal.timeout(15_000) });
	await resumed.arrayBuffer();
	return page;
}
